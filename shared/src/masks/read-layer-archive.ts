/**
 * A polygon layer delivered as a zip archive, the way county and provincial land data usually travel: one
 * shapefile (.shp with its .prj, and its .dbf and .cpg when there are) or one GeoJSON file, in any folder of
 * the archive. The archive is untrusted: only the entries of the one layer are inflated, each against the
 * size its directory declares (yauzl checks that the inflated bytes match it), with a cap on the total, so
 * a small archive cannot expand into memory without bound; encrypted entries, several layers and an
 * archive with no layer are refused naming the archive and what it holds.
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { InvalidInputError } from '../errors.js';

/** Most entries listed (a layer is a handful of files; a folder of a few hundred layers is still read). */
const MAX_ENTRIES = 10_000;
/** Default cap on the bytes inflated for one layer (a 20-million-vertex shapefile is about 330 MB). */
export const MAX_LAYER_ARCHIVE_BYTES = 1 << 30;
/** The sidecars hold a line of text each; anything larger is not what the name says. */
const MAX_SIDECAR_BYTES = 1 << 20;
/** Info-ZIP Unicode Path extra field: the UTF-8 name of an entry whose header name is in a local code page. */
const UNICODE_PATH_FIELD = 0x7075;
const UTF8_NAME_FLAG = 0x800;

export interface ArchivedFile {
  /** `archive.zip:folder/name.shp`: the archive's name and the entry's, for messages and provenance. */
  path: string;
  /** The entry's name in the archive (`folder/name.shp`). */
  entry: string;
  data: Uint8Array;
}

/** The files of the one layer an archive holds: a GeoJSON file, or a shapefile's parts. */
export type ArchivedLayer =
  | { kind: 'geojson'; geojson: ArchivedFile }
  | { kind: 'shapefile'; shp: ArchivedFile; prj: ArchivedFile | null; dbf: ArchivedFile | null; cpg: ArchivedFile | null };

/** Whether `bytes` start as a zip archive does (a local file header, or the end record of an empty one). */
export function isZipArchive(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

interface Listed {
  name: string;
  entry: yauzl.Entry;
}

/**
 * Reads the one layer of the zip archive `bytes` (named `name` in messages), inflating at most `maxBytes`;
 * of an archive of several layers, the one `entry` names (its path in the archive, or its file name when
 * that is unique).
 */
export async function readLayerArchive(bytes: Uint8Array, name: string, maxBytes = MAX_LAYER_ARCHIVE_BYTES, entry?: string): Promise<ArchivedLayer> {
  const fail = (field: string, why: string) => new InvalidInputError('layer_archive_invalid', `${name}: ${why}`, { file: name, field });
  const zip = await openZip(bytes).catch((error: Error) => {
    throw fail('archive', `not a readable zip archive (${error.message})`);
  });
  try {
    const entries = await listEntries(zip, fail);
    const layers = entries.filter((e) => /\.(shp|geojson|json)$/i.test(e.name));
    if (layers.length === 0) {
      const held = entries.length === 0 ? 'nothing' : entries.slice(0, 12).map((e) => e.name).join(', ') + (entries.length > 12 ? `, … (${entries.length} files)` : '');
      throw fail('archive', `holds no layer: a zip layer is one .shp (with its .prj) or one .geojson; it holds ${held}`);
    }
    const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
    const chosen = entry === undefined ? layers : layers.filter((e) => e.name === entry || (!entry.includes('/') && baseName(e.name) === entry));
    if (entry !== undefined && chosen.length !== 1) {
      const why = chosen.length === 0 ? `holds no layer ${entry}` : `holds ${chosen.length} layers named ${entry} (${chosen.map((e) => e.name).join(', ')}): give its folder too`;
      throw fail('entry', `${why}; its layers are ${layers.map((e) => e.name).join(', ')}`);
    }
    if (chosen.length > 1) {
      throw fail('archive', `holds ${layers.length} layers (${layers.map((e) => e.name).join(', ')}): name the one to read (ARCHIVE.zip:${layers[0]!.name}, or ?entry= in a request)`);
    }
    let budget = maxBytes;
    const read = async (listed: Listed, cap: number): Promise<ArchivedFile> => {
      const path = `${name}:${listed.name}`;
      const size = listed.entry.uncompressedSize;
      if (listed.entry.isEncrypted()) throw fail(listed.name, `${listed.name} is encrypted: send the archive without a password`);
      if (size > Math.min(cap, budget)) {
        throw fail(listed.name, `${listed.name} inflates to ${size} bytes, more than the ${Math.min(cap, budget)} a layer may take here`);
      }
      budget -= size;
      const data = await readEntry(zip, listed.entry).catch((error: Error) => {
        throw fail(listed.name, `${listed.name} cannot be inflated (${error.message})`);
      });
      return { path, entry: listed.name, data };
    };
    const layer = chosen[0]!;
    if (!/\.shp$/i.test(layer.name)) return { kind: 'geojson', geojson: await read(layer, maxBytes) };
    const stem = layer.name.slice(0, -4);
    const sidecar = (ext: string) => {
      const found = entries.filter((e) => e.name.length === stem.length + 4 && e.name.startsWith(stem) && e.name.slice(stem.length).toLowerCase() === `.${ext}`);
      if (found.length > 1) throw fail(ext, `holds ${found.map((e) => e.name).join(' and ')}: which is the layer's .${ext} is ambiguous`);
      return found[0] ?? null;
    };
    const [prj, dbf, cpg] = [sidecar('prj'), sidecar('dbf'), sidecar('cpg')];
    return {
      kind: 'shapefile',
      shp: await read(layer, maxBytes),
      prj: prj && (await read(prj, MAX_SIDECAR_BYTES)),
      dbf: dbf && (await read(dbf, maxBytes)),
      cpg: cpg && (await read(cpg, MAX_SIDECAR_BYTES)),
    };
  } finally {
    zip.close();
  }
}

function openZip(bytes: Uint8Array): Promise<yauzl.ZipFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** Every file entry but folders and the metadata macOS adds (`__MACOSX/`, `._name`), in archive order. */
function listEntries(zip: yauzl.ZipFile, fail: (field: string, why: string) => Error): Promise<Listed[]> {
  if (zip.entryCount > MAX_ENTRIES) return Promise.reject(fail('archive', `holds ${zip.entryCount} entries, more than the ${MAX_ENTRIES} read`));
  return new Promise((resolve, reject) => {
    const listed: Listed[] = [];
    const seen = new Set<string>();
    zip.on('entry', (entry: yauzl.Entry) => {
      const entryName = entryNameOf(entry);
      const base = entryName.slice(entryName.lastIndexOf('/') + 1);
      const skip = entryName.endsWith('/') || entryName.startsWith('__MACOSX/') || base.startsWith('._');
      if (!skip) {
        if (seen.has(entryName)) {
          reject(fail(entryName, `holds ${entryName} twice`));
          return;
        }
        seen.add(entryName);
        listed.push({ name: entryName, entry });
      }
      zip.readEntry();
    });
    zip.on('end', () => resolve(listed));
    zip.on('error', (error: Error) => reject(fail('archive', `the archive is damaged (${error.message})`)));
    zip.readEntry();
  });
}

/**
 * An entry's name: UTF-8 when the entry says so (flag bit 11, or the Info-ZIP Unicode Path field whose CRC
 * matches the header name); otherwise UTF-8 when the bytes are valid UTF-8 (macOS writes it without the flag)
 * and else GB18030, the code page Chinese Windows writes names in (APPNOTE 6.3.10, appendix D).
 */
function entryNameOf(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  const decode = (bytes: Uint8Array, encoding: string, fatal: boolean) => new TextDecoder(encoding, { fatal }).decode(bytes);
  let name: string;
  if (entry.generalPurposeBitFlag & UTF8_NAME_FLAG) {
    name = decode(raw, 'utf-8', false);
  } else {
    const unicode = entry.extraFields.find((f) => f.id === UNICODE_PATH_FIELD && f.data.length > 5 && f.data[0] === 1 && f.data.readUInt32LE(1) === crc32(raw));
    if (unicode) name = decode(unicode.data.subarray(5), 'utf-8', false);
    else {
      try {
        name = decode(raw, 'utf-8', true);
      } catch {
        name = decode(raw, 'gb18030', false);
      }
    }
  }
  return name.replace(/\\/g, '/');
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (streamError: Error) => {
        stream.destroy(); // stop inflating an entry that overran its declared size
        reject(streamError);
      });
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
