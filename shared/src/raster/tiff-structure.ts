/**
 * A small, defensive reader for the TIFF header and the first IFD, and the byte sources it reads from.
 *
 * Untrusted files are checked here first: every tag's data must lie inside the file, counts are capped,
 * types must be known, tags must not repeat. Only then are pixels decoded (window-decoder.ts).
 */
import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidInputError, NotFoundError } from '../errors.js';

/** Random-access bytes of one file. Reads past the end are clipped. */
export interface ByteReader {
  readonly size: number;
  /** A fresh copy of the bytes (the caller may keep and modify it). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Synchronous read for the pixel decoder. For in-memory sources the result is a view of the source
   * bytes (no copy): callers must never modify it. Use `sharesMemory` to tell.
   */
  readShared(offset: number, length: number): Uint8Array;
  /** Synchronous read into target[targetOffset...]; returns the number of bytes read (fewer at EOF). */
  readInto(offset: number, length: number, target: Uint8Array, targetOffset: number): number;
  /** True when readShared returns views of the source rather than fresh copies. */
  readonly sharesMemory: boolean;
  close(): Promise<void>;
}

function clip(offset: number, length: number, size: number): [number, number] {
  const start = Math.max(0, Math.min(offset, size));
  const end = Math.max(start, Math.min(offset + length, size));
  return [start, end];
}

export function bytesReader(bytes: Uint8Array): ByteReader {
  return {
    size: bytes.byteLength,
    sharesMemory: true,
    read(offset, length) {
      const [start, end] = clip(offset, length, bytes.byteLength);
      // copy: callers may hand the ArrayBuffer to code that views it whole
      return Promise.resolve(bytes.slice(start, end));
    },
    readShared(offset, length) {
      const [start, end] = clip(offset, length, bytes.byteLength);
      return bytes.subarray(start, end);
    },
    readInto(offset, length, target, targetOffset) {
      const [start, end] = clip(offset, length, bytes.byteLength);
      target.set(bytes.subarray(start, end), targetOffset);
      return end - start;
    },
    close: () => Promise.resolve(),
  };
}

export async function fileReader(path: string, name: string): Promise<ByteReader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`${name}: file not found`, { file: name, cause: error });
    throw error;
  }
  let size: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new InvalidInputError('not_geotiff', `${name}: not a regular file`, { file: name });
    }
    size = stat.size;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  let closed = false;
  // Pixel reads are synchronous positional reads (pread) on the same descriptor: a window's blocks are
  // decoded synchronously anyway, and a thread-pool round trip per strip would cost more than the read.
  const readInto = (offset: number, length: number, target: Uint8Array, targetOffset: number): number => {
    if (closed) throw new Error(`${name}: file already closed`);
    const [start, end] = clip(offset, length, size);
    let done = 0;
    while (done < end - start) {
      const bytesRead = readSync(handle.fd, target, targetOffset + done, end - start - done, start + done);
      if (bytesRead === 0) break; // file shrank underneath us
      done += bytesRead;
    }
    return done;
  };
  return {
    size,
    sharesMemory: false,
    async read(offset, length) {
      if (closed) throw new Error(`${name}: file already closed`);
      const [start, end] = clip(offset, length, size);
      const out = new Uint8Array(end - start);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) break; // file shrank underneath us
        done += bytesRead;
      }
      return done === out.length ? out : out.slice(0, done);
    },
    readShared(offset, length) {
      const [start, end] = clip(offset, length, size);
      const out = new Uint8Array(end - start);
      const done = readInto(start, end - start, out, 0);
      return done === out.length ? out : out.subarray(0, done);
    },
    readInto,
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

// --- TIFF field types -------------------------------------------------------------------------

export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  SBYTE: 6,
  UNDEFINED: 7,
  SSHORT: 8,
  SLONG: 9,
  SRATIONAL: 10,
  FLOAT: 11,
  DOUBLE: 12,
  IFD: 13,
  LONG8: 16,
  SLONG8: 17,
  IFD8: 18,
} as const;

const TYPE_SIZE: Record<number, number> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};

/** Tag numbers used by shoutu, with the names used in error messages. */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GDAL_METADATA: 42112,
  GDAL_NODATA: 42113,
} as const;

const TAG_NAMES: Record<number, string> = {
  254: 'NewSubfileType',
  256: 'ImageWidth',
  257: 'ImageLength',
  258: 'BitsPerSample',
  259: 'Compression',
  262: 'PhotometricInterpretation',
  273: 'StripOffsets',
  277: 'SamplesPerPixel',
  278: 'RowsPerStrip',
  279: 'StripByteCounts',
  284: 'PlanarConfiguration',
  317: 'Predictor',
  322: 'TileWidth',
  323: 'TileLength',
  324: 'TileOffsets',
  325: 'TileByteCounts',
  338: 'ExtraSamples',
  339: 'SampleFormat',
  33550: 'ModelPixelScaleTag',
  33922: 'ModelTiepointTag',
  34264: 'ModelTransformationTag',
  34735: 'GeoKeyDirectoryTag',
  34736: 'GeoDoubleParamsTag',
  34737: 'GeoAsciiParamsTag',
  42112: 'GDAL_METADATA',
  42113: 'GDAL_NODATA',
};

export function tagName(tag: number): string {
  return TAG_NAMES[tag] ?? `tag ${tag}`;
}

/** Caps that bound every allocation made while reading a hostile file. */
export const MAX_IFD_ENTRIES = 4096;
/** Largest count accepted for any single tag (2^24 values; strip/tile tables of capped rasters fit). */
export const MAX_TAG_COUNT = 1 << 24;

export interface TiffEntry {
  tag: number;
  type: number;
  count: number;
  /** Absolute file offset of the value data (inside the IFD entry when the data fit inline). */
  dataOffset: number;
  byteLength: number;
}

export interface TiffDirectory {
  littleEndian: boolean;
  bigTiff: boolean;
  ifdOffset: number;
  /** offset of the next IFD in the chain, 0 at the end (Infinity when beyond 2^53) */
  nextIfdOffset: number;
  entries: Map<number, TiffEntry>;
}

function notTiff(name: string, message: string, field?: string): InvalidInputError {
  return new InvalidInputError('not_geotiff', `${name}: ${message}`, field === undefined ? { file: name } : { file: name, field });
}

/** uint64 from two uint32 halves; values beyond 2^53 are returned as Infinity (always out of range). */
function readU64(view: DataView, offset: number, le: boolean): number {
  const lo = view.getUint32(offset + (le ? 0 : 4), le);
  const hi = view.getUint32(offset + (le ? 4 : 0), le);
  if (hi >= 0x200000) return Number.POSITIVE_INFINITY;
  return hi * 0x100000000 + lo;
}

/** Reads and validates the header and first IFD. Throws InvalidInputError('not_geotiff') on any structural problem. */
export async function readFirstDirectory(reader: ByteReader, name: string): Promise<TiffDirectory> {
  const size = reader.size;
  if (size < 8) throw notTiff(name, `not a TIFF file (only ${size} bytes)`, 'header');
  const head = await reader.read(0, 16);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const bom = view.getUint16(0, false);
  let le: boolean;
  if (bom === 0x4949) le = true;
  else if (bom === 0x4d4d) le = false;
  else throw notTiff(name, 'not a TIFF file (bad byte-order mark)', 'header');
  const magic = view.getUint16(2, le);
  let bigTiff: boolean;
  let ifdOffset: number;
  if (magic === 42) {
    bigTiff = false;
    ifdOffset = view.getUint32(4, le);
  } else if (magic === 43) {
    bigTiff = true;
    if (head.byteLength < 16) throw notTiff(name, 'truncated BigTIFF header', 'header');
    if (view.getUint16(4, le) !== 8 || view.getUint16(6, le) !== 0) {
      throw notTiff(name, 'unsupported BigTIFF offset size', 'header');
    }
    ifdOffset = readU64(view, 8, le);
  } else {
    throw notTiff(name, `not a TIFF file (magic number ${magic})`, 'header');
  }

  return readDirectoryAt(reader, name, le, bigTiff, ifdOffset, 'first IFD');
}

/** Most IFDs a file may chain (the image, its overviews and masks: a COG of a 10⁵-pixel side has ~10). */
export const MAX_IFDS = 64;

/**
 * Walks the IFD chain after `first` and refuses a malformed one before any pixel is read: a chain that
 * loops back to an IFD already seen (a reader following it would never stop), one longer than MAX_IFDS,
 * and IFDs outside the file or truncated. Only the directories are read, never their values.
 */
export async function checkIfdChain(reader: ByteReader, first: TiffDirectory, name: string): Promise<void> {
  const seen = new Set<number>([first.ifdOffset]);
  let dir = first;
  for (let index = 1; dir.nextIfdOffset !== 0; index++) {
    if (seen.has(dir.nextIfdOffset)) throw notTiff(name, `IFD ${index} at offset ${dir.nextIfdOffset} is an IFD already read: the IFD chain loops`, 'IFD');
    if (index >= MAX_IFDS) throw notTiff(name, `the IFD chain is longer than ${MAX_IFDS} directories`, 'IFD');
    dir = (await readNextDirectory(reader, dir, name, index))!;
    seen.add(dir.ifdOffset);
  }
}

/**
 * The IFD after `previous` (overviews and masks of a GDAL / COG file), or null at the end of the chain.
 * Callers walking the chain must bound the number of IFDs and refuse offsets seen before (loops).
 */
export async function readNextDirectory(reader: ByteReader, previous: TiffDirectory, name: string, index: number): Promise<TiffDirectory | null> {
  if (previous.nextIfdOffset === 0) return null;
  return readDirectoryAt(reader, name, previous.littleEndian, previous.bigTiff, previous.nextIfdOffset, `IFD ${index}`);
}

async function readDirectoryAt(reader: ByteReader, name: string, le: boolean, bigTiff: boolean, ifdOffset: number, which: string): Promise<TiffDirectory> {
  const size = reader.size;
  const countSize = bigTiff ? 8 : 2;
  const entrySize = bigTiff ? 20 : 12;
  const nextSize = bigTiff ? 8 : 4;
  const headerSize = bigTiff ? 16 : 8;
  if (!(ifdOffset >= headerSize && ifdOffset + countSize <= size)) {
    throw notTiff(name, `${which} offset ${ifdOffset} lies outside the file (${size} bytes)`, 'IFD');
  }
  const countBytes = await reader.read(ifdOffset, countSize);
  const cview = new DataView(countBytes.buffer, countBytes.byteOffset, countBytes.byteLength);
  const n = bigTiff ? readU64(cview, 0, le) : cview.getUint16(0, le);
  if (n === 0 || n > MAX_IFD_ENTRIES) throw notTiff(name, `${which} has ${n} entries`, 'IFD');
  const ifdBytes = n * entrySize + nextSize;
  if (ifdOffset + countSize + ifdBytes > size) throw notTiff(name, `${which} is truncated`, 'IFD');
  const ifd = await reader.read(ifdOffset + countSize, ifdBytes);
  const iview = new DataView(ifd.buffer, ifd.byteOffset, ifd.byteLength);
  const inlineSize = bigTiff ? 8 : 4;

  const entries = new Map<number, TiffEntry>();
  for (let i = 0; i < n; i++) {
    const p = i * entrySize;
    const tag = iview.getUint16(p, le);
    const type = iview.getUint16(p + 2, le);
    const count = bigTiff ? readU64(iview, p + 4, le) : iview.getUint32(p + 4, le);
    const typeSize = TYPE_SIZE[type];
    if (typeSize === undefined) throw notTiff(name, `${tagName(tag)} has unknown field type ${type}`, tagName(tag));
    if (count > MAX_TAG_COUNT) throw notTiff(name, `${tagName(tag)} has an implausible count ${count}`, tagName(tag));
    if (entries.has(tag)) throw notTiff(name, `${tagName(tag)} appears twice in the ${which}`, tagName(tag));
    const byteLength = count * typeSize;
    const valuePos = p + (bigTiff ? 12 : 8);
    let dataOffset: number;
    if (byteLength <= inlineSize) {
      dataOffset = ifdOffset + countSize + valuePos;
    } else {
      dataOffset = bigTiff ? readU64(iview, valuePos, le) : iview.getUint32(valuePos, le);
      if (!(dataOffset + byteLength <= size)) {
        throw notTiff(name, `${tagName(tag)} data (${byteLength} bytes at ${dataOffset}) lies outside the file`, tagName(tag));
      }
    }
    entries.set(tag, { tag, type, count, dataOffset, byteLength });
  }
  const nextIfdOffset = bigTiff ? readU64(iview, n * entrySize, le) : iview.getUint32(n * entrySize, le);
  return { littleEndian: le, bigTiff, ifdOffset, nextIfdOffset, entries };
}

const NUMERIC_TYPES = new Set<number>([1, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 16, 17, 18]);

/** Reads a numeric tag as plain numbers (RATIONALs as quotients). 64-bit values beyond 2^53 become Infinity. */
export async function readNumbers(reader: ByteReader, dir: TiffDirectory, entry: TiffEntry, name: string): Promise<number[]> {
  if (!NUMERIC_TYPES.has(entry.type)) {
    throw notTiff(name, `${tagName(entry.tag)} has non-numeric type ${entry.type}`, tagName(entry.tag));
  }
  const bytes = await reader.read(entry.dataOffset, entry.byteLength);
  if (bytes.byteLength !== entry.byteLength) throw notTiff(name, `${tagName(entry.tag)} data is truncated`, tagName(entry.tag));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dir.littleEndian;
  const out = new Array<number>(entry.count);
  for (let i = 0; i < entry.count; i++) {
    switch (entry.type) {
      case 1: out[i] = view.getUint8(i); break;
      case 6: out[i] = view.getInt8(i); break;
      case 3: out[i] = view.getUint16(i * 2, le); break;
      case 8: out[i] = view.getInt16(i * 2, le); break;
      case 4: case 13: out[i] = view.getUint32(i * 4, le); break;
      case 9: out[i] = view.getInt32(i * 4, le); break;
      case 11: out[i] = view.getFloat32(i * 4, le); break;
      case 12: out[i] = view.getFloat64(i * 8, le); break;
      case 5: {
        const den = view.getUint32(i * 8 + 4, le);
        out[i] = den === 0 ? Number.NaN : view.getUint32(i * 8, le) / den;
        break;
      }
      case 10: {
        const den = view.getInt32(i * 8 + 4, le);
        out[i] = den === 0 ? Number.NaN : view.getInt32(i * 8, le) / den;
        break;
      }
      case 16: case 18: out[i] = readU64(view, i * 8, le); break;
      case 17: {
        const v = view.getBigInt64(i * 8, le);
        out[i] = v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
        break;
      }
      default: out[i] = Number.NaN;
    }
  }
  return out;
}

/** Reads an ASCII (or BYTE/UNDEFINED) tag as text up to the first NUL. */
export async function readAscii(reader: ByteReader, entry: TiffEntry, name: string, maxBytes = 1 << 20): Promise<string> {
  if (entry.type !== FieldType.ASCII && entry.type !== FieldType.BYTE && entry.type !== FieldType.UNDEFINED) {
    throw notTiff(name, `${tagName(entry.tag)} is not text (type ${entry.type})`, tagName(entry.tag));
  }
  if (entry.byteLength > maxBytes) throw notTiff(name, `${tagName(entry.tag)} is too long (${entry.byteLength} bytes)`, tagName(entry.tag));
  const bytes = await reader.read(entry.dataOffset, entry.byteLength);
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.byteLength;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
}
