/**
 * A streaming, deterministic writer of tiled GeoTIFFs in any sample type shoutu reads (8/16/32-bit
 * integers, float32, float64): the file is written tile by tile, so a raster of any size is written
 * holding one tile in memory — what resampled scenes are stored as.
 *
 * Layout: little-endian; classic TIFF, or BigTIFF when the file could exceed 4 GiB (decided from the
 * size alone, so the same raster always gets the same layout). Header, one IFD, its out-of-line values
 * (the tile offset and byte-count tables are written last, in place), then the tiles in the order they
 * are written: row-major, all bands of a tile together. Band-separate planes (PlanarConfiguration 2),
 * DEFLATE at a fixed level (default 6) with horizontal differencing (Predictor 2) for integers, or
 * uncompressed (scratch files, read once and deleted, where DEFLATE would cost most of the time). No timestamps or
 * software tags: the same samples always give the same bytes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { constants, deflateSync, type ZlibOptions } from 'node:zlib';
import { checkNorthUp, gdalNodataText, geoKeyDirectory, pixelScaleAndTiepoint } from './geotiff-keys.js';
import type { GeoTransform } from './geotransform.js';

export type TiledSampleArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export interface TiledGeoTiffSpec {
  width: number;
  height: number;
  bands: number;
  sampleFormat: 'uint' | 'int' | 'float';
  /** 8, 16 or 32 for integers; 32 or 64 for floats */
  bitsPerSample: number;
  geoTransform: GeoTransform;
  epsg: number;
  nodata: number | null;
  /** Tile edge in pixels, a multiple of 16 (default 256). */
  tileSize?: number;
  /** Needed only for EPSG codes shoutu's CRS table does not know. */
  crsType?: 'projected' | 'geographic';
  /** Force BigTIFF (tests); default: only when the file could exceed 4 GiB. */
  bigTiff?: boolean;
  /** zlib level, 1 (fastest) to 9 (smallest); default 6, GDAL's default. */
  deflateLevel?: number;
  /** 'deflate' (default) or 'none' (no compression, no predictor; deflateLevel is then ignored). */
  compression?: 'deflate' | 'none';
  /**
   * zlib's strategy: 'default', or 'rle' (matches only of the previous byte: runs). Imagery differenced by
   * the predictor has few longer matches worth their bits, so 'rle' is smaller and about 2–3 times faster.
   */
  deflateStrategy?: 'default' | 'rle';
}

export const DEFAULT_TILE_SIZE = 256;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const SHORT = 3;
const LONG = 4;
const DOUBLE = 12;
const ASCII = 2;
const LONG8 = 16;

interface Field {
  tag: number;
  type: number;
  count: number;
  bytes: Uint8Array;
}

function encode(type: number, values: ArrayLike<number>): Uint8Array {
  const size = type === SHORT ? 2 : type === LONG ? 4 : 8;
  const b = new Uint8Array(values.length * size);
  const v = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (type === SHORT) v.setUint16(i * size, x, true);
    else if (type === LONG) v.setUint32(i * size, x, true);
    else if (type === LONG8) v.setBigUint64(i * size, BigInt(x), true);
    else v.setFloat64(i * size, x, true);
  }
  return b;
}

/** The typed array holding `bitsPerSample` samples of `sampleFormat`; RangeError for types shoutu does not write. */
export function sampleArrayType(sampleFormat: 'uint' | 'int' | 'float', bitsPerSample: number): { new (n: number): TiledSampleArray; readonly BYTES_PER_ELEMENT: number } {
  const key = `${sampleFormat}${bitsPerSample}`;
  const types: Record<string, { new (n: number): TiledSampleArray; readonly BYTES_PER_ELEMENT: number }> = {
    uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
  };
  const type = types[key];
  if (type === undefined) throw new RangeError(`writeTiledGeoTiff: ${bitsPerSample}-bit ${sampleFormat} samples are not supported`);
  return type;
}

/** Writes a tiled GeoTIFF to a local file, one tile at a time, in row-major order. */
export class TiledGeoTiffWriter {
  readonly tileSize: number;
  readonly tilesAcross: number;
  readonly tilesDown: number;
  private readonly spec: TiledGeoTiffSpec;
  private readonly handle: FileHandle;
  private readonly bigTiff: boolean;
  private readonly offsetsAt: number;
  private readonly countsAt: number;
  private readonly offsets: number[];
  private readonly counts: number[];
  private cursor: number;
  private next = 0;
  private closed = false;

  private readonly zlibOptions: ZlibOptions;

  private constructor(handle: FileHandle, spec: TiledGeoTiffSpec, layout: { bigTiff: boolean; offsetsAt: number; countsAt: number; dataStart: number }) {
    this.handle = handle;
    this.spec = spec;
    this.tileSize = spec.tileSize ?? DEFAULT_TILE_SIZE;
    this.tilesAcross = Math.ceil(spec.width / this.tileSize);
    this.tilesDown = Math.ceil(spec.height / this.tileSize);
    this.bigTiff = layout.bigTiff;
    this.offsetsAt = layout.offsetsAt;
    this.countsAt = layout.countsAt;
    this.cursor = layout.dataStart;
    this.zlibOptions = { level: spec.deflateLevel ?? 6, ...(spec.deflateStrategy === 'rle' ? { strategy: constants.Z_RLE } : {}) };
    const entries = this.tilesAcross * this.tilesDown * spec.bands;
    this.offsets = new Array<number>(entries).fill(0);
    this.counts = new Array<number>(entries).fill(0);
  }

  /** Creates (or truncates) `path` and writes the header and the IFD. Throws RangeError for a bad spec. */
  static async create(path: string, spec: TiledGeoTiffSpec): Promise<TiledGeoTiffWriter> {
    const { header, layout } = buildHeader(spec);
    const handle = await open(path, 'w');
    try {
      await handle.write(header, 0, header.byteLength, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new TiledGeoTiffWriter(handle, spec, layout);
  }

  /**
   * Leaves tile (tx, ty) out of the file (a sparse tile: offset and byte count 0), for a tile that would
   * hold only nodata: readers (shoutu's, GDAL's) read it as the nodata value, or 0 without one. Tiles must
   * come in row-major order, written or left out.
   */
  skipTile(tx: number, ty: number): void {
    if (this.closed) throw new Error('writeTiledGeoTiff: writer is closed');
    const index = ty * this.tilesAcross + tx;
    if (index !== this.next || tx < 0 || tx >= this.tilesAcross) throw new RangeError(`writeTiledGeoTiff: tile ${tx}, ${ty} out of order (expected tile #${this.next})`);
    this.next++; // offsets and counts stay 0
  }

  /**
   * Writes tile (tx, ty): `planes` holds bands × tileSize × tileSize samples of the file's type, planar
   * (band b, tile pixel (x, y) at b*T*T + y*T + x); pixels beyond the raster's edge are written as given
   * (fill them with nodata). Tiles must come in row-major order.
   */
  async writeTile(tx: number, ty: number, planes: TiledSampleArray): Promise<void> {
    if (this.closed) throw new Error('writeTiledGeoTiff: writer is closed');
    const index = ty * this.tilesAcross + tx;
    if (index !== this.next || tx < 0 || tx >= this.tilesAcross) throw new RangeError(`writeTiledGeoTiff: tile ${tx}, ${ty} out of order (expected tile #${this.next})`);
    const T = this.tileSize;
    const plane = T * T;
    const Type = sampleArrayType(this.spec.sampleFormat, this.spec.bitsPerSample);
    if (!(planes instanceof Type) || planes.length !== this.spec.bands * plane) {
      throw new RangeError(`writeTiledGeoTiff: a tile is a ${Type.name} of ${this.spec.bands * plane} samples`);
    }
    const perBand = this.tilesAcross * this.tilesDown;
    for (let b = 0; b < this.spec.bands; b++) {
      const samples = planes.subarray(b * plane, (b + 1) * plane);
      const stored = this.spec.compression === 'none' ? littleEndianBytes(samples) : encodeTilePlane(samples, T, this.spec.sampleFormat !== 'float', this.zlibOptions);
      await this.handle.write(stored, 0, stored.byteLength, this.cursor);
      this.offsets[b * perBand + index] = this.cursor;
      this.counts[b * perBand + index] = stored.byteLength;
      this.cursor += stored.byteLength;
    }
    if (!this.bigTiff && this.cursor > 0xffffffff) throw new RangeError('writeTiledGeoTiff: file exceeds 4 GiB in classic TIFF');
    this.next++;
  }

  /** Writes the tile tables and closes the file; every tile must have been written. */
  async finish(): Promise<void> {
    if (this.next !== this.tilesAcross * this.tilesDown) throw new Error(`writeTiledGeoTiff: ${this.next} of ${this.tilesAcross * this.tilesDown} tiles written`);
    const type = this.bigTiff ? LONG8 : LONG;
    const offsets = encode(type, this.offsets);
    const counts = encode(type, this.counts);
    await this.handle.write(offsets, 0, offsets.byteLength, this.offsetsAt);
    await this.handle.write(counts, 0, counts.byteLength, this.countsAt);
    this.closed = true;
    await this.handle.close();
  }

  /** Closes the file without finishing it (the caller removes it). */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** One band of one tile as stored uncompressed: its samples' bytes, little-endian. */
function littleEndianBytes(samples: TiledSampleArray): Uint8Array {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  if (HOST_LITTLE_ENDIAN || samples.BYTES_PER_ELEMENT === 1) return bytes;
  const swapped = bytes.slice();
  for (let i = 0; i < swapped.length; i += samples.BYTES_PER_ELEMENT) swapped.subarray(i, i + samples.BYTES_PER_ELEMENT).reverse();
  return swapped;
}

/** One band of one tile as stored: little-endian, horizontally differenced for integers, DEFLATE. */
function encodeTilePlane(samples: TiledSampleArray, T: number, integer: boolean, zlib: ZlibOptions): Uint8Array {
  const size = samples.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(samples.length * size);
  bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  if (integer) {
    // Predictor 2 works on unsigned words of the sample size (wrapping), row by row, right to left.
    const words = size === 1 ? bytes : size === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
    for (let y = 0; y < T; y++) {
      const row = y * T;
      for (let x = T - 1; x > 0; x--) words[row + x] = words[row + x]! - words[row + x - 1]!;
    }
  }
  if (!HOST_LITTLE_ENDIAN && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  const z = deflateSync(bytes, zlib);
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

function buildHeader(spec: TiledGeoTiffSpec): { header: Uint8Array; layout: { bigTiff: boolean; offsetsAt: number; countsAt: number; dataStart: number } } {
  const writer = 'writeTiledGeoTiff';
  const { width, height, bands, sampleFormat, bitsPerSample, geoTransform: gt, epsg, nodata } = spec;
  const T = spec.tileSize ?? DEFAULT_TILE_SIZE;
  for (const [name, value, max] of [['width', width, 1_000_000], ['height', height, 1_000_000], ['bands', bands, 65535]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${writer}: invalid ${name} ${value}`);
  }
  const deflate = (spec.compression ?? 'deflate') === 'deflate';
  if (spec.deflateStrategy !== undefined && spec.deflateStrategy !== 'default' && spec.deflateStrategy !== 'rle') throw new RangeError(`${writer}: deflate strategy must be 'default' or 'rle', got ${String(spec.deflateStrategy)}`);
  if (!deflate && spec.compression !== 'none') throw new RangeError(`${writer}: compression must be 'deflate' or 'none', got ${String(spec.compression)}`);
  const level = spec.deflateLevel ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new RangeError(`${writer}: deflate level must be 1..9, got ${level}`);
  if (!Number.isInteger(T) || T < 16 || T % 16 !== 0 || T > 4096) throw new RangeError(`${writer}: tile size must be a multiple of 16 up to 4096, got ${T}`);
  const Type = sampleArrayType(sampleFormat, bitsPerSample);
  if (sampleFormat === 'float' && bitsPerSample < 32) throw new RangeError(`${writer}: float${bitsPerSample} is not supported`);
  checkNorthUp(gt, writer);
  const geoKeys = geoKeyDirectory(epsg, spec.crsType, writer);
  const integer = sampleFormat !== 'float';
  const tiles = Math.ceil(width / T) * Math.ceil(height / T);
  const entries = tiles * bands;
  // Deflate never grows a block by more than 5 bytes per 16 KiB plus a small header (zlib's deflateBound).
  const rawTile = T * T * Type.BYTES_PER_ELEMENT;
  const bound = entries * (rawTile + Math.ceil(rawTile / 16384) * 5 + 64) + entries * 16 + 65536;
  const bigTiff = spec.bigTiff ?? bound > 0xffffffff;
  const tableType = bigTiff ? LONG8 : LONG;
  const { scale, tiepoint } = pixelScaleAndTiepoint(gt);
  const placeholder = (n: number) => new Uint8Array(n * (bigTiff ? 8 : 4));
  const fields: Field[] = [
    { tag: 256, type: LONG, count: 1, bytes: encode(LONG, [width]) },
    { tag: 257, type: LONG, count: 1, bytes: encode(LONG, [height]) },
    { tag: 258, type: SHORT, count: bands, bytes: encode(SHORT, new Array<number>(bands).fill(bitsPerSample)) },
    { tag: 259, type: SHORT, count: 1, bytes: encode(SHORT, [deflate ? 8 : 1]) }, // Deflate or none
    { tag: 262, type: SHORT, count: 1, bytes: encode(SHORT, [1]) }, // BlackIsZero
    { tag: 277, type: SHORT, count: 1, bytes: encode(SHORT, [bands]) },
    { tag: 284, type: SHORT, count: 1, bytes: encode(SHORT, [2]) }, // band-separate planes
    ...(integer && deflate ? [{ tag: 317, type: SHORT, count: 1, bytes: encode(SHORT, [2]) }] : []),
    { tag: 322, type: LONG, count: 1, bytes: encode(LONG, [T]) },
    { tag: 323, type: LONG, count: 1, bytes: encode(LONG, [T]) },
    { tag: 324, type: tableType, count: entries, bytes: placeholder(entries) },
    { tag: 325, type: tableType, count: entries, bytes: placeholder(entries) },
    ...(bands > 1 ? [{ tag: 338, type: SHORT, count: bands - 1, bytes: encode(SHORT, new Array<number>(bands - 1).fill(0)) }] : []),
    { tag: 339, type: SHORT, count: bands, bytes: encode(SHORT, new Array<number>(bands).fill(sampleFormat === 'uint' ? 1 : sampleFormat === 'int' ? 2 : 3)) },
    { tag: 33550, type: DOUBLE, count: 3, bytes: encode(DOUBLE, scale) },
    { tag: 33922, type: DOUBLE, count: 6, bytes: encode(DOUBLE, tiepoint) },
    { tag: 34735, type: SHORT, count: geoKeys.length, bytes: encode(SHORT, geoKeys) },
  ];
  if (nodata !== null) {
    const text = gdalNodataText(nodata);
    fields.push({ tag: 42113, type: ASCII, count: text.length, bytes: text });
  }

  const headerSize = bigTiff ? 16 : 8;
  const entrySize = bigTiff ? 20 : 12;
  const inline = bigTiff ? 8 : 4;
  const ifdSize = (bigTiff ? 8 : 2) + fields.length * entrySize + (bigTiff ? 8 : 4);
  let cursor = headerSize + ifdSize;
  const valueAt = new Map<Field, number>();
  for (const f of fields) {
    if (f.bytes.byteLength > inline) {
      cursor += cursor % 8 === 0 ? 0 : 8 - (cursor % 8);
      valueAt.set(f, cursor);
      cursor += f.bytes.byteLength;
    }
  }
  cursor += cursor % 8 === 0 ? 0 : 8 - (cursor % 8);
  const header = new Uint8Array(cursor);
  const view = new DataView(header.buffer);
  header[0] = 0x49;
  header[1] = 0x49;
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setUint16(6, 0, true);
    view.setBigUint64(8, BigInt(headerSize), true);
    view.setBigUint64(headerSize, BigInt(fields.length), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, headerSize, true);
    view.setUint16(headerSize, fields.length, true);
  }
  const first = headerSize + (bigTiff ? 8 : 2);
  fields.forEach((f, i) => {
    const p = first + i * entrySize;
    view.setUint16(p, f.tag, true);
    view.setUint16(p + 2, f.type, true);
    if (bigTiff) view.setBigUint64(p + 4, BigInt(f.count), true);
    else view.setUint32(p + 4, f.count, true);
    const valuePos = p + (bigTiff ? 12 : 8);
    const at = valueAt.get(f);
    if (at === undefined) header.set(f.bytes, valuePos);
    else {
      if (bigTiff) view.setBigUint64(valuePos, BigInt(at), true);
      else view.setUint32(valuePos, at, true);
      header.set(f.bytes, at);
    }
  });
  // next IFD offset: 0 (already zero)
  const tableAt = (tag: number) => {
    const f = fields.find((x) => x.tag === tag)!;
    const at = valueAt.get(f);
    if (at !== undefined) return at;
    return first + fields.indexOf(f) * entrySize + (bigTiff ? 12 : 8);
  };
  return { header, layout: { bigTiff, offsetsAt: tableAt(324), countsAt: tableAt(325), dataStart: cursor } };
}
