/**
 * The attribute table of a shapefile (.dbf, dBASE III as the ESRI Shapefile Technical Description, July
 * 1998, uses it), one object per record in file order, so that a shapefile's attributes travel with its
 * polygons (parcel numbers of a farmland layer; an approval layer's number, kind and validity).
 * Text is decoded as the .cpg names it (UTF-8, GBK / CP936 / GB2312 / GB18030), else by the header's
 * language driver (0x4D: CP936), else as UTF-8. The file is untrusted: sizes are checked before reading.
 */
import { InvalidInputError } from '../errors.js';

export type DbfValue = string | number | boolean | null;
export type DbfRecord = Record<string, DbfValue>;

const HEADER_BYTES = 32;
const FIELD_BYTES = 32;
const DELETED = 0x2a;
/** dBASE language driver id of code page 936 (simplified Chinese GBK). */
const LDID_CP936 = 0x4d;

/** The encoding TextDecoder should use for a .cpg's text (null: not one this reader knows). */
export function encodingOfCpg(cpg: string): string | null {
  const name = cpg.trim().toUpperCase().replace(/[\s_-]/g, '');
  if (name === 'UTF8' || name === '65001') return 'utf-8';
  if (['GBK', 'CP936', '936', 'GB2312', 'MS936', 'WINDOWS936', 'ANSI936'].includes(name)) return 'gbk';
  if (name === 'GB18030' || name === '54936') return 'gb18030';
  if (['LATIN1', 'ISO88591', '88591', 'CP1252', '1252', 'WINDOWS1252'].includes(name)) return 'windows-1252';
  return null;
}

/** Records of `dbf`; `cpg`: the .cpg file's text, or null when there is none. */
export function readDbf(dbf: Uint8Array, cpg: string | null, name: string): DbfRecord[] {
  const fail = (field: string, why: string) => new InvalidInputError('mask_invalid', `${name}: ${why}`, { file: name, field });
  if (dbf.length < HEADER_BYTES + 1) throw fail('header', `${dbf.length} bytes is shorter than a dBASE header`);
  const view = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength);
  const records = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  if (headerLength < HEADER_BYTES + 1 || headerLength > dbf.length) throw fail('header', `header length ${headerLength} does not fit the file's ${dbf.length} bytes`);
  if (recordLength < 1 || headerLength + records * recordLength > dbf.length) {
    throw fail('header', `${records} records of ${recordLength} bytes after a ${headerLength}-byte header do not fit the file's ${dbf.length} bytes`);
  }
  let encoding = cpg === null ? null : encodingOfCpg(cpg);
  if (cpg !== null && encoding === null) throw fail('cpg', `the .cpg names code page ${JSON.stringify(cpg.trim().slice(0, 40))}, which shoutu does not decode (UTF-8, GBK/936, GB18030, Latin-1)`);
  encoding ??= dbf[29] === LDID_CP936 ? 'gbk' : 'utf-8';
  const decoder = new TextDecoder(encoding, { fatal: true });

  const fields: Array<{ name: string; type: string; offset: number; length: number }> = [];
  let offset = 1; // each record starts with its deletion flag
  for (let at = HEADER_BYTES; dbf[at] !== 0x0d; at += FIELD_BYTES) {
    if (at + FIELD_BYTES > headerLength) throw fail('header', 'the field descriptors run past the header (no 0x0D terminator)');
    const raw = dbf.subarray(at, at + 11);
    const end = raw.indexOf(0);
    const fieldName = new TextDecoder('latin1').decode(raw.subarray(0, end < 0 ? 11 : end)).trim();
    const type = String.fromCharCode(dbf[at + 11]!);
    const length = dbf[at + 16]!;
    if (fieldName === '' || length === 0) throw fail('header', `field descriptor ${fields.length + 1} has no name or no length`);
    fields.push({ name: fieldName, type, offset, length });
    offset += length;
  }
  if (offset > recordLength) throw fail('header', `the fields take ${offset} bytes, the records hold ${recordLength}`);

  const out: DbfRecord[] = [];
  for (let r = 0; r < records; r++) {
    const start = headerLength + r * recordLength;
    const record: DbfRecord = {};
    const deleted = dbf[start] === DELETED;
    for (const f of fields) {
      const bytes = dbf.subarray(start + f.offset, start + f.offset + f.length);
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch (error) {
        throw new InvalidInputError('mask_invalid', `${name}: record ${r + 1}, field ${f.name}: not ${encoding} text (a .cpg beside the .dbf names the code page)`, { file: name, field: f.name, cause: error });
      }
      record[f.name] = deleted ? null : valueOf(f.type, text.replace(/\0+$/, '').trim());
    }
    out.push(record);
  }
  return out;
}

/** A field's value by its dBASE type: numbers for N and F, an ISO date for D, a boolean for L, text otherwise; null when blank. */
function valueOf(type: string, text: string): DbfValue {
  if (text === '' || /^\*+$/.test(text)) return null;
  switch (type) {
    case 'N':
    case 'F': {
      const n = Number(text);
      return Number.isFinite(n) ? n : null;
    }
    case 'D':
      // GDAL writes a null date as 00000000
      return /^\d{8}$/.test(text) && text !== '00000000' ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}` : null;
    case 'L':
      return /^[YyTt]$/.test(text) ? true : /^[NnFf]$/.test(text) ? false : null;
    default:
      return text;
  }
}
