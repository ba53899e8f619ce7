/**
 * A minimal, deterministic writer for single-band uint8 GeoTIFFs (change masks, class maps).
 *
 * Layout: little-endian classic TIFF; 8-byte header, one IFD right after it, the IFD's out-of-line values,
 * then the strips. No timestamps, software tags or other varying content: the same inputs always
 * produce the same bytes (DEFLATE uses node:zlib at a fixed level).
 */
import { constants, deflateSync } from 'node:zlib';
import { checkNorthUp, gdalNodataText, geoKeyDirectory, pixelScaleAndTiepoint } from './geotiff-keys.js';
import type { GeoTransform } from './geotransform.js';

export interface EncodeUint8GeoTiffOptions {
  width: number;
  height: number;
  /** row-major, width*height values */
  data: Uint8Array;
  /** north-up: [originX, pixelWidth, 0, originY, 0, -pixelHeight] */
  geoTransform: GeoTransform;
  epsg: number;
  nodata?: number;
  compress?: 'none' | 'deflate';
  /**
   * Whether `epsg` is a projected or geographic CRS. Only needed for EPSG codes that shoutu's CRS table
   * (geo/crs.ts) does not know; otherwise derived from the code.
   */
  crsType?: 'projected' | 'geographic';
}

const SHORT = 3;
const LONG = 4;
const DOUBLE = 12;
const ASCII = 2;

/** Target uncompressed strip size; rows per strip = max(1, floor(STRIP_BYTES / width)). */
const STRIP_BYTES = 65536;
const DEFLATE_LEVEL = 6;
/**
 * zlib's RLE strategy (matches of the previous byte only): class rasters such as change.tif are long runs
 * of one value, which it finds as well as the default search at a fraction of the time (a 4-Mpx strip run
 * of the 8192² benchmark's change.tif: 6 ms against 19–27 ms, and 10 KiB against 11).
 */
const DEFLATE_STRATEGY = constants.Z_RLE;

interface Field {
  tag: number;
  type: number;
  count: number;
  /** little-endian encoded value bytes */
  bytes: Uint8Array;
}

function shorts(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setUint16(i * 2, x, true));
  return b;
}
function longs(values: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) v.setUint32(i * 4, values[i]!, true);
  return b;
}
function doubles(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat64(i * 8, x, true));
  return b;
}



/**
 * Encodes a single-band uint8 GeoTIFF: deterministic bytes, uncompressed or DEFLATE, strips,
 * ModelPixelScale + ModelTiepoint, GeoKeyDirectory with the EPSG code (projected or geographic,
 * RasterPixelIsArea), GDAL_NODATA if nodata is given. Throws RangeError/TypeError on bad arguments.
 */
export function encodeUint8GeoTiff(options: EncodeUint8GeoTiffOptions): Uint8Array {
  const { width, height, data, compress = 'none' } = options;
  checkSize(width, height);
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new RangeError(`encodeUint8GeoTiff: data must be a Uint8Array of ${width * height} values`);
  }
  if (compress !== 'none' && compress !== 'deflate') throw new RangeError(`encodeUint8GeoTiff: unknown compression ${String(compress)}`);
  const rowsPerStrip = uint8GeoTiffRowsPerStrip(width, height);
  const stripCount = Math.ceil(height / rowsPerStrip);
  const strips: Uint8Array[] = [];
  for (let s = 0; s < stripCount; s++) {
    strips.push(encodeUint8Strip(data.subarray(s * rowsPerStrip * width, Math.min(height, (s + 1) * rowsPerStrip) * width), compress));
  }
  return assembleUint8GeoTiff(options, strips);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 100_000 || height > 100_000) {
    throw new RangeError(`encodeUint8GeoTiff: invalid size ${width}x${height}`);
  }
}

/** Rows in each strip of a uint8 GeoTIFF of this size (the last strip may have fewer). */
export function uint8GeoTiffRowsPerStrip(width: number, height: number): number {
  return Math.max(1, Math.min(height, Math.floor(STRIP_BYTES / width)));
}

/** One strip's bytes as stored: the raw rows, or their DEFLATE stream (fixed level: deterministic). */
export function encodeUint8Strip(rows: Uint8Array, compress: 'none' | 'deflate'): Uint8Array {
  if (compress === 'none') return rows;
  const z = deflateSync(rows, { level: DEFLATE_LEVEL, strategy: DEFLATE_STRATEGY });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

/**
 * The GeoTIFF around strips already encoded with encodeUint8Strip (uint8GeoTiffRowsPerStrip rows each,
 * in order): what encodeUint8GeoTiff returns for the same rows, so a raster can be encoded strip by strip
 * without ever holding all its pixels.
 */
export function assembleUint8GeoTiff(options: Omit<EncodeUint8GeoTiffOptions, 'data'>, strips: readonly Uint8Array[]): Uint8Array {
  const { width, height, geoTransform: gt, epsg, nodata, compress = 'none' } = options;
  checkSize(width, height);
  const stripCount = Math.ceil(height / uint8GeoTiffRowsPerStrip(width, height));
  if (strips.length !== stripCount) throw new RangeError(`encodeUint8GeoTiff: ${strips.length} strips given, ${stripCount} expected`);
  checkNorthUp(gt, 'encodeUint8GeoTiff');
  if (!Number.isInteger(epsg) || epsg < 1024 || epsg >= 32767) throw new RangeError(`encodeUint8GeoTiff: invalid EPSG code ${epsg}`);
  if (nodata !== undefined && !(Number.isInteger(nodata) && nodata >= 0 && nodata <= 255)) {
    throw new RangeError(`encodeUint8GeoTiff: nodata must be an integer 0..255, got ${nodata}`);
  }
  if (compress !== 'none' && compress !== 'deflate') throw new RangeError(`encodeUint8GeoTiff: unknown compression ${String(compress)}`);
  const geoKeys = geoKeyDirectory(epsg, options.crsType, 'encodeUint8GeoTiff');
  const { scale, tiepoint } = pixelScaleAndTiepoint(gt);
  const rowsPerStrip = uint8GeoTiffRowsPerStrip(width, height);

  const stripOffsetsPlaceholder = new Uint8Array(stripCount * 4);
  const fields: Field[] = [
    { tag: 256, type: LONG, count: 1, bytes: longs([width]) },
    { tag: 257, type: LONG, count: 1, bytes: longs([height]) },
    { tag: 258, type: SHORT, count: 1, bytes: shorts([8]) },
    { tag: 259, type: SHORT, count: 1, bytes: shorts([compress === 'deflate' ? 8 : 1]) },
    { tag: 262, type: SHORT, count: 1, bytes: shorts([1]) }, // BlackIsZero
    { tag: 273, type: LONG, count: stripCount, bytes: stripOffsetsPlaceholder },
    { tag: 277, type: SHORT, count: 1, bytes: shorts([1]) },
    { tag: 278, type: LONG, count: 1, bytes: longs([rowsPerStrip]) },
    { tag: 279, type: LONG, count: stripCount, bytes: longs(strips.map((s) => s.byteLength)) },
    { tag: 284, type: SHORT, count: 1, bytes: shorts([1]) },
    { tag: 339, type: SHORT, count: 1, bytes: shorts([1]) },
    { tag: 33550, type: DOUBLE, count: 3, bytes: doubles(scale) },
    { tag: 33922, type: DOUBLE, count: 6, bytes: doubles(tiepoint) },
    { tag: 34735, type: SHORT, count: geoKeys.length, bytes: shorts(geoKeys) },
  ];
  if (nodata !== undefined) {
    const text = gdalNodataText(nodata);
    fields.push({ tag: 42113, type: ASCII, count: text.length, bytes: text });
  }

  // offsets: header 8, IFD, then out-of-line values (word-aligned), then strips
  const ifdOffset = 8;
  const ifdSize = 2 + fields.length * 12 + 4;
  let cursor = ifdOffset + ifdSize;
  const valueOffsets = new Map<Field, number>();
  for (const f of fields) {
    if (f.bytes.byteLength > 4) {
      cursor += cursor % 2;
      valueOffsets.set(f, cursor);
      cursor += f.bytes.byteLength;
    }
  }
  cursor += cursor % 2;
  const stripOffsets: number[] = [];
  for (const s of strips) {
    stripOffsets.push(cursor);
    cursor += s.byteLength;
  }
  const total = cursor;
  if (total > 0xffffffff) throw new RangeError('encodeUint8GeoTiff: result exceeds 4 GiB (classic TIFF limit)');
  stripOffsetsPlaceholder.set(longs(stripOffsets));

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out[0] = 0x49;
  out[1] = 0x49;
  view.setUint16(2, 42, true);
  view.setUint32(4, ifdOffset, true);
  view.setUint16(ifdOffset, fields.length, true);
  fields.forEach((f, i) => {
    const p = ifdOffset + 2 + i * 12;
    view.setUint16(p, f.tag, true);
    view.setUint16(p + 2, f.type, true);
    view.setUint32(p + 4, f.count, true);
    const at = valueOffsets.get(f);
    if (at === undefined) out.set(f.bytes, p + 8);
    else {
      view.setUint32(p + 8, at, true);
      out.set(f.bytes, at);
    }
  });
  view.setUint32(ifdOffset + 2 + fields.length * 12, 0, true); // no next IFD
  strips.forEach((s, i) => out.set(s, stripOffsets[i]!));
  return out;
}
