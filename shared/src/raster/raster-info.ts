/**
 * Turns a validated first IFD into RasterInfo (what callers see) and RasterLayout (how pixels are stored),
 * rejecting anything shoutu does not support with a named InvalidInputError.
 */
import { InvalidInputError } from '../errors.js';
import type { GeoTransform } from './geotransform.js';
import { GEOKEY_NAMES, identifyUserDefinedCrs, type GeoKeyValues } from './geokey-crs.js';
import {
  type ByteReader,
  FieldType,
  Tag,
  type TiffDirectory,
  type TiffEntry,
  readAscii,
  readNumbers,
  tagName,
} from './tiff-structure.js';

export interface RasterInfo {
  width: number;
  height: number;
  bands: number;
  sampleFormat: 'uint' | 'int' | 'float';
  bitsPerSample: number;
  /** GDAL order: [originX, pixelWidth, 0, originY, 0, -pixelHeight] (north-up only) */
  geoTransform: GeoTransform;
  /** from GeoKeys: ProjectedCSTypeGeoKey or GeographicTypeGeoKey, or the code a user-defined CRS matches */
  epsg: number;
  /** for a user-defined CRS read as `epsg`: what its GeoKeys hold (geokey-crs.ts); absent otherwise */
  crsParameters?: string;
  /** GDAL_NODATA tag */
  nodata: number | null;
  /** from GDAL_METADATA <Item name="DESCRIPTION" sample="i" role="description"> */
  bandDescriptions: (string | null)[];
  /** dataset-level GDAL_METADATA items (e.g. DATE) */
  metadata: Record<string, string>;
  /**
   * The band the file marks as alpha (ExtraSamples of its last sample: 1 associated, 2 unassociated), or
   * null. Drone orthophotos mark the ground they did not cover transparent (alpha 0) this way; it is a
   * validity mask, not imagery (GDAL reads it as the dataset's mask band).
   */
  alphaBand: number | null;
  /**
   * The file carries a GDAL internal mask (a 1-bit image of the full size after the first, NewSubfileType 4):
   * 0 there is ground the image does not cover (GDAL's JPEG orthophotos mark it so). Read with readMaskWindow.
   */
  internalMask: boolean;
}

/** Storage layout details needed to decode pixels. */
export interface RasterLayout {
  tiled: boolean;
  /** block (strip or tile) width and full height in pixels */
  blockWidth: number;
  blockHeight: number;
  blocksAcross: number;
  blocksDown: number;
  /** 1 = pixel-interleaved (chunky), 2 = band-interleaved (planar) */
  planarConfiguration: 1 | 2;
  compression: number;
  predictor: number;
  /** PhotometricInterpretation (2 RGB, 6 YCbCr: JPEG only, decoded to RGB as GDAL does, ...) */
  photometric: number;
  /** JPEG: the JPEGTables tag (tables shared by all blocks), or null when every block carries its own */
  jpegTables: Uint8Array | null;
  /** LERC: the layer over each LERC blob (LercParameters): 0 none, 1 Deflate, 2 ZSTD */
  lercAdditional: 0 | 1 | 2;
  /** the last sample is an unassociated alpha (ExtraSamples 2), which GDAL's LERC stores as the blob's mask */
  alphaLast: boolean;
  /** the TIFF marks the last sample as alpha, associated or unassociated (ExtraSamples 1 or 2), and it is not
   *  the only sample (GDAL's own colour interpretation, in GDAL_METADATA, may say otherwise: alphaBandOf) */
  alphaSample: boolean;
  bytesPerSample: number;
  /** decoded size of one full block in bytes */
  blockBytes: number;
  /** number of entries the offset/byte-count tables must hold */
  blockCount: number;
  offsetsEntry: TiffEntry;
  byteCountsEntry: TiffEntry;
}

export const MAX_RASTER_SIDE = 100_000;
export const MAX_RASTER_BANDS = 512;
/** Largest decoded strip/tile accepted (bounds memory per block; re-tile larger files). */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/**
 * Compression codes shoutu decodes (with bounded output): none, LZW, Deflate, Adobe Deflate, PackBits,
 * ZSTD, JPEG (8-bit; YCbCr ones as RGB) and LERC (also with its Deflate or ZSTD layer).
 */
export const SUPPORTED_COMPRESSION: Readonly<Record<number, string>> = {
  1: 'none',
  5: 'LZW',
  7: 'JPEG',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits',
  34887: 'LERC',
  50000: 'ZSTD',
};

/** The compression as GDAL names LERC's variants (LERC_DEFLATE, LERC_ZSTD); else COMPRESSION_NAMES. */
export function layoutCompressionName(layout: Pick<RasterLayout, 'compression' | 'lercAdditional'>): string {
  if (layout.compression === 34887) return ['LERC', 'LERC_DEFLATE', 'LERC_ZSTD'][layout.lercAdditional]!;
  return COMPRESSION_NAMES[layout.compression] ?? `unknown (${layout.compression})`;
}

/** Names of TIFF compression codes, for messages and `shoutu info` (decodable or not). */
export const COMPRESSION_NAMES: Readonly<Record<number, string>> = {
  1: 'none',
  2: 'CCITT RLE',
  3: 'CCITT Group 3 fax',
  4: 'CCITT Group 4 fax',
  5: 'LZW',
  6: 'old-style JPEG',
  7: 'JPEG',
  8: 'Deflate',
  32773: 'PackBits',
  32946: 'Deflate',
  34661: 'JBIG',
  34676: 'SGILog',
  34712: 'JPEG 2000',
  34887: 'LERC',
  34925: 'LZMA',
  50000: 'ZSTD',
  50001: 'WebP',
  50002: 'JPEG XL',
};

/** "JPEG (7)"; just the number for unknown codes. */
export function compressionName(code: number): string {
  const known = COMPRESSION_NAMES[code];
  return known === undefined ? String(code) : `${known} (${code})`;
}

/** TIFF tags only the JPEG and LERC codecs need. */
const TAG_JPEG_TABLES = 347;
const TAG_LERC_PARAMETERS = 50674;
/** Largest JPEGTables accepted (GDAL writes a few hundred bytes). */
const MAX_JPEG_TABLES_BYTES = 1 << 16;

const GEOKEY_GT_MODEL_TYPE = 1024;
const GEOKEY_GT_RASTER_TYPE = 1025;
const GEOKEY_GEOGRAPHIC_TYPE = 2048;
const GEOKEY_PROJECTED_CS_TYPE = 3072;
const USER_DEFINED = 32767;

function fail(code: string, name: string, field: string, message: string): InvalidInputError {
  return new InvalidInputError(code, `${name}: ${message}`, { file: name, field });
}

async function single(reader: ByteReader, dir: TiffDirectory, tag: number, name: string, fallback?: number): Promise<number> {
  const entry = dir.entries.get(tag);
  if (entry === undefined) {
    if (fallback === undefined) throw fail('not_geotiff', name, tagName(tag), `required TIFF tag ${tagName(tag)} is missing`);
    return fallback;
  }
  if (entry.count < 1) throw fail('not_geotiff', name, tagName(tag), `${tagName(tag)} has no value`);
  const values = await readNumbers(reader, dir, { ...entry, count: 1, byteLength: entry.byteLength / entry.count }, name);
  const v = values[0]!;
  if (!Number.isInteger(v) || v < 0) throw fail('not_geotiff', name, tagName(tag), `${tagName(tag)} has invalid value ${v}`);
  return v;
}

/** A per-sample tag (BitsPerSample, SampleFormat): count 1 (applies to all) or one value per band, all equal. */
async function perSample(reader: ByteReader, dir: TiffDirectory, tag: number, bands: number, name: string, fallback: number): Promise<number> {
  const entry = dir.entries.get(tag);
  if (entry === undefined) return fallback;
  if (entry.count !== 1 && entry.count !== bands) {
    throw fail('not_geotiff', name, tagName(tag), `${tagName(tag)} has ${entry.count} values for ${bands} bands`);
  }
  const values = await readNumbers(reader, dir, entry, name);
  const first = values[0]!;
  if (values.some((v) => v !== first)) {
    throw fail('unsupported_raster', name, tagName(tag), `bands with different ${tagName(tag)} (${values.join(', ')}) are not supported`);
  }
  return first;
}

function describeDims(name: string, field: string, value: number, cap: number): void {
  if (!Number.isInteger(value) || value < 1) throw fail('not_geotiff', name, field, `${field} is ${value}`);
  if (value > cap) throw fail('unsupported_raster', name, field, `${field} ${value} exceeds the limit of ${cap}`);
}

export async function readLayout(
  reader: ByteReader,
  dir: TiffDirectory,
  name: string,
  /**
   * Read a 1-bit, one-sample image (a GDAL internal mask) as the 8-bit image of its bytes: ceil(width / 8)
   * columns, each holding 8 pixels (the first in the top bit), with tiles 1/8 as wide; TIFF pads each row
   * of a 1-bit block to a whole byte, so the blocks are those of that byte image.
   */
  packedBits = false,
): Promise<{ layout: RasterLayout; width: number; height: number; bands: number; sampleFormat: RasterInfo['sampleFormat']; bitsPerSample: number }> {
  const pixelWidth = await single(reader, dir, Tag.ImageWidth, name);
  const width = packedBits ? Math.ceil(pixelWidth / 8) : pixelWidth;
  const height = await single(reader, dir, Tag.ImageLength, name);
  const bands = await single(reader, dir, Tag.SamplesPerPixel, name, 1);
  describeDims(name, 'ImageWidth', pixelWidth, MAX_RASTER_SIDE);
  describeDims(name, 'ImageLength', height, MAX_RASTER_SIDE);
  describeDims(name, 'SamplesPerPixel', bands, MAX_RASTER_BANDS);

  const storedBits = await perSample(reader, dir, Tag.BitsPerSample, bands, name, 1);
  if (packedBits && (storedBits !== 1 || bands !== 1)) {
    throw fail('unsupported_raster', name, 'BitsPerSample', `a mask must have one 1-bit sample per pixel, not ${bands} of ${storedBits} bits`);
  }
  const bits = packedBits ? 8 : storedBits;
  const format = await perSample(reader, dir, Tag.SampleFormat, bands, name, 1);
  let sampleFormat: RasterInfo['sampleFormat'];
  if (format === 1) sampleFormat = 'uint';
  else if (format === 2) sampleFormat = 'int';
  else if (format === 3) sampleFormat = 'float';
  else throw fail('unsupported_raster', name, 'SampleFormat', `SampleFormat ${format} is not supported (only unsigned/signed integer and IEEE float)`);
  const okBits = sampleFormat === 'float' ? [16, 32, 64] : [8, 16, 32];
  if (!okBits.includes(bits)) {
    throw fail('unsupported_raster', name, 'BitsPerSample', `${bits}-bit ${sampleFormat} samples are not supported (supported: ${okBits.join('/')})`);
  }
  const bytesPerSample = bits / 8;

  const compression = await single(reader, dir, Tag.Compression, name, 1);
  if (SUPPORTED_COMPRESSION[compression] === undefined) {
    throw fail(
      'unsupported_raster',
      name,
      'Compression',
      `TIFF compression ${compressionName(compression)} is not supported (supported: none, LZW, DEFLATE, PackBits, ZSTD, JPEG, LERC; convert with gdal_translate -co COMPRESS=DEFLATE)`,
    );
  }
  // libtiff applies the Predictor only in the LZW, Deflate and ZSTD codecs; elsewhere the tag is ignored.
  const rawPredictor = await single(reader, dir, Tag.Predictor, name, 1);
  const predictorApplies = compression === 5 || compression === 8 || compression === 32946 || compression === 50000;
  const predictor = predictorApplies ? rawPredictor : 1;
  if (predictor !== 1) {
    const ok = (predictor === 2 && bits <= 32) || (predictor === 3 && sampleFormat === 'float');
    if (!ok) {
      throw fail('unsupported_raster', name, 'Predictor', `Predictor ${predictor} is not supported with ${bits}-bit ${sampleFormat} samples`);
    }
  }
  const photometric = await single(reader, dir, Tag.PhotometricInterpretation, name, 1);
  const planar = await single(reader, dir, Tag.PlanarConfiguration, name, 1);
  if (planar !== 1 && planar !== 2) throw fail('not_geotiff', name, 'PlanarConfiguration', `PlanarConfiguration ${planar} is invalid`);
  const planarConfiguration: 1 | 2 = bands === 1 ? 1 : planar;
  if (photometric === 6 && !(compression === 7 && planarConfiguration === 1 && bands === 3)) {
    // as GDAL reads them: JPEG-compressed YCbCr becomes RGB; raw (subsampled) YCbCr samples are not decoded
    throw fail('unsupported_raster', name, 'PhotometricInterpretation', 'YCbCr photometric interpretation is supported only for 3-band pixel-interleaved JPEG');
  }
  let jpegTables: Uint8Array | null = null;
  if (compression === 7) {
    if (sampleFormat !== 'uint' || bits !== 8) {
      throw fail('unsupported_raster', name, 'BitsPerSample', `JPEG with ${bits}-bit ${sampleFormat} samples is not supported (8-bit unsigned only)`);
    }
    if (planarConfiguration === 1 && bands > 4) {
      throw fail('unsupported_raster', name, 'SamplesPerPixel', `pixel-interleaved JPEG with ${bands} bands is not supported (JPEG holds at most 4 components)`);
    }
    jpegTables = await readJpegTables(reader, dir, name);
  }
  let lercAdditional: 0 | 1 | 2 = 0;
  if (compression === 34887) {
    if (sampleFormat === 'float' && bits === 16) {
      throw fail('unsupported_raster', name, 'BitsPerSample', 'LERC with 16-bit float samples is not supported');
    }
    const params = dir.entries.get(TAG_LERC_PARAMETERS);
    const additional = params === undefined || params.count < 2 ? 0 : (await readNumbers(reader, dir, params, name))[1]!;
    if (additional !== 0 && additional !== 1 && additional !== 2) {
      throw fail('unsupported_raster', name, 'LercParameters', `LERC with additional compression ${additional} is not supported (none, Deflate or ZSTD)`);
    }
    lercAdditional = additional;
  }
  const lastExtra = await lastExtraSample(reader, dir, name);
  const alphaLast = lastExtra === 2;
  const alphaSample = bands > 1 && (lastExtra === 1 || lastExtra === 2);

  const tiled = dir.entries.has(Tag.TileOffsets) || dir.entries.has(Tag.TileWidth);
  let blockWidth: number;
  let blockHeight: number;
  let offsetsEntry: TiffEntry | undefined;
  let byteCountsEntry: TiffEntry | undefined;
  if (tiled) {
    const tileWidth = await single(reader, dir, Tag.TileWidth, name);
    if (packedBits && tileWidth % 8 !== 0) throw fail('not_geotiff', name, 'TileWidth', `a 1-bit tile width must be a multiple of 8, not ${tileWidth}`);
    blockWidth = packedBits ? tileWidth / 8 : tileWidth;
    blockHeight = await single(reader, dir, Tag.TileLength, name);
    if (blockWidth < 1 || blockHeight < 1 || blockWidth > MAX_RASTER_SIDE || blockHeight > MAX_RASTER_SIDE) {
      throw fail('not_geotiff', name, 'TileWidth', `invalid tile size ${blockWidth}x${blockHeight}`);
    }
    offsetsEntry = dir.entries.get(Tag.TileOffsets);
    byteCountsEntry = dir.entries.get(Tag.TileByteCounts);
    if (!offsetsEntry) throw fail('not_geotiff', name, 'TileOffsets', 'required TIFF tag TileOffsets is missing');
    if (!byteCountsEntry) throw fail('not_geotiff', name, 'TileByteCounts', 'required TIFF tag TileByteCounts is missing');
  } else {
    blockWidth = width;
    const rps = await single(reader, dir, Tag.RowsPerStrip, name, 0xffffffff);
    if (rps < 1) throw fail('not_geotiff', name, 'RowsPerStrip', 'RowsPerStrip is 0');
    blockHeight = Math.min(rps, height);
    offsetsEntry = dir.entries.get(Tag.StripOffsets);
    byteCountsEntry = dir.entries.get(Tag.StripByteCounts);
    if (!offsetsEntry) throw fail('not_geotiff', name, 'StripOffsets', 'required TIFF tag StripOffsets is missing');
    if (!byteCountsEntry) throw fail('not_geotiff', name, 'StripByteCounts', 'required TIFF tag StripByteCounts is missing');
  }
  const blocksAcross = Math.ceil(width / blockWidth);
  const blocksDown = Math.ceil(height / blockHeight);
  const blockCount = blocksAcross * blocksDown * (planarConfiguration === 2 ? bands : 1);
  const blockBytes = blockWidth * blockHeight * bytesPerSample * (planarConfiguration === 2 ? 1 : bands);
  if (blockBytes > MAX_BLOCK_BYTES) {
    throw fail(
      'unsupported_raster',
      name,
      tiled ? 'TileWidth' : 'RowsPerStrip',
      `one ${tiled ? 'tile' : 'strip'} decodes to ${blockBytes} bytes, above the limit of ${MAX_BLOCK_BYTES} (re-write with gdal_translate -co TILED=YES)`,
    );
  }
  for (const entry of [offsetsEntry, byteCountsEntry]) {
    const okType = entry.type === FieldType.SHORT || entry.type === FieldType.LONG || entry.type === FieldType.LONG8;
    if (!okType) throw fail('not_geotiff', name, tagName(entry.tag), `${tagName(entry.tag)} has invalid type ${entry.type}`);
    if (entry.count < blockCount) {
      throw fail('not_geotiff', name, tagName(entry.tag), `${tagName(entry.tag)} has ${entry.count} entries, ${blockCount} needed`);
    }
  }
  return {
    width,
    height,
    bands,
    sampleFormat,
    bitsPerSample: bits,
    layout: {
      tiled,
      blockWidth,
      blockHeight,
      blocksAcross,
      blocksDown,
      planarConfiguration,
      compression,
      predictor,
      photometric,
      jpegTables,
      lercAdditional,
      alphaLast,
      alphaSample,
      bytesPerSample,
      blockBytes,
      blockCount,
      offsetsEntry,
      byteCountsEntry,
    },
  };
}

/** The JPEGTables tag's bytes (null when absent: then every block is a complete JPEG stream). */
async function readJpegTables(reader: ByteReader, dir: TiffDirectory, name: string): Promise<Uint8Array | null> {
  const entry = dir.entries.get(TAG_JPEG_TABLES);
  if (entry === undefined) return null;
  if (entry.type !== FieldType.UNDEFINED && entry.type !== FieldType.BYTE) {
    throw fail('not_geotiff', name, 'JPEGTables', `JPEGTables has invalid type ${entry.type}`);
  }
  if (entry.byteLength > MAX_JPEG_TABLES_BYTES) {
    throw fail('not_geotiff', name, 'JPEGTables', `JPEGTables is implausibly long (${entry.byteLength} bytes)`);
  }
  const bytes = await reader.read(entry.dataOffset, entry.byteLength);
  if (bytes.byteLength !== entry.byteLength) throw fail('not_geotiff', name, 'JPEGTables', 'JPEGTables is truncated');
  if (bytes.byteLength < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw fail('not_geotiff', name, 'JPEGTables', 'JPEGTables does not hold a JPEG tables stream (no SOI)');
  }
  return bytes;
}

/** The last value of ExtraSamples (0 unspecified, 1 associated alpha, 2 unassociated alpha), or null without one. */
async function lastExtraSample(reader: ByteReader, dir: TiffDirectory, name: string): Promise<number | null> {
  const entry = dir.entries.get(Tag.ExtraSamples);
  if (entry === undefined || entry.count < 1 || entry.count > MAX_RASTER_BANDS) return null;
  const values = await readNumbers(reader, dir, entry, name);
  return values[values.length - 1] ?? null;
}

/**
 * Checks that every block's bytes lie inside the file and that no block's stored size is implausible,
 * reading the offset and byte-count tables in chunks (no table-sized number arrays).
 */
export async function validateBlockTables(reader: ByteReader, dir: TiffDirectory, layout: RasterLayout, name: string): Promise<void> {
  const size = reader.size;
  const maxStored = maxStoredBlockBytes(layout);
  const chunk = 65536;
  const offsetsField = tagName(layout.offsetsEntry.tag);
  const countsField = tagName(layout.byteCountsEntry.tag);
  for (let start = 0; start < layout.blockCount; start += chunk) {
    const n = Math.min(chunk, layout.blockCount - start);
    const offsets = await readTableSlice(reader, dir, layout.offsetsEntry, start, n, name);
    const counts = await readTableSlice(reader, dir, layout.byteCountsEntry, start, n, name);
    for (let i = 0; i < n; i++) {
      const count = counts[i]!;
      const offset = offsets[i]!;
      if (count === 0) continue; // sparse block: read as nodata (or 0), as GDAL does
      if (count > maxStored) {
        throw fail('not_geotiff', name, countsField, `${countsField}[${start + i}] = ${count} is implausible for a ${layout.blockBytes}-byte block`);
      }
      if (!(offset + count <= size)) {
        throw fail('not_geotiff', name, offsetsField, `${offsetsField}[${start + i}] points outside the file (${count} bytes at ${offset}, file is ${size} bytes)`);
      }
    }
  }
}

/** Largest stored (compressed) size accepted for one block of `layout`. */
export function maxStoredBlockBytes(layout: RasterLayout): number {
  // compressed data never legitimately needs much more room than the decoded block (LZW worst case ~1.5x)
  return layout.compression === 1 ? layout.blockBytes : 2 * layout.blockBytes + 4096;
}

/** Bytes per entry of a strip/tile offset or byte-count table (SHORT, LONG or LONG8, checked by readLayout). */
export function tableItemSize(entry: TiffEntry): number {
  return entry.type === FieldType.SHORT ? 2 : entry.type === FieldType.LONG ? 4 : 8;
}

/** Decodes table entries (SHORT/LONG/LONG8) to numbers; LONG8 values beyond 2^53 become Infinity. */
export function decodeTableEntries(bytes: Uint8Array, itemSize: number, littleEndian: boolean): Float64Array {
  const n = Math.floor(bytes.byteLength / itemSize);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (itemSize === 2) out[i] = view.getUint16(i * 2, le);
    else if (itemSize === 4) out[i] = view.getUint32(i * 4, le);
    else {
      const lo = view.getUint32(i * 8 + (le ? 0 : 4), le);
      const hi = view.getUint32(i * 8 + (le ? 4 : 0), le);
      out[i] = hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * 0x100000000 + lo;
    }
  }
  return out;
}

async function readTableSlice(reader: ByteReader, dir: TiffDirectory, entry: TiffEntry, start: number, n: number, name: string): Promise<Float64Array> {
  const itemSize = tableItemSize(entry);
  const bytes = await reader.read(entry.dataOffset + start * itemSize, n * itemSize);
  if (bytes.byteLength !== n * itemSize) throw fail('not_geotiff', name, tagName(entry.tag), `${tagName(entry.tag)} is truncated`);
  return decodeTableEntries(bytes, itemSize, dir.littleEndian);
}

// --- georeferencing ------------------------------------------------------------------------------

async function doubles(reader: ByteReader, dir: TiffDirectory, entry: TiffEntry, name: string, maxCount: number): Promise<number[]> {
  if (entry.count > maxCount) {
    const gcps = entry.tag === Tag.ModelTiepoint && entry.count % 6 === 0;
    throw fail(
      gcps ? 'unsupported_raster' : 'not_georeferenced',
      name,
      tagName(entry.tag),
      gcps ? 'several tie points (GCP georeferencing) are not supported; warp the image first' : `${tagName(entry.tag)} has ${entry.count} values`,
    );
  }
  if (entry.type !== FieldType.DOUBLE && entry.type !== FieldType.FLOAT) {
    throw fail('not_georeferenced', name, tagName(entry.tag), `${tagName(entry.tag)} must hold DOUBLE values (type ${entry.type})`);
  }
  const values = await readNumbers(reader, dir, entry, name);
  if (values.some((v) => !Number.isFinite(v))) {
    throw fail('not_georeferenced', name, tagName(entry.tag), `${tagName(entry.tag)} contains a non-finite value`);
  }
  return values;
}

interface GeoKeys {
  modelType: number | null;
  rasterType: number | null;
  geographic: number | null;
  projected: number | null;
  /** every inline SHORT key */
  shorts: Map<number, number>;
  /** keys stored in GeoDoubleParamsTag: index and count there (read only for a user-defined CRS) */
  doubleRefs: Map<number, { index: number; count: number }>;
}

/** Most values GeoDoubleParamsTag may hold (a CRS needs about a dozen). */
const MAX_GEO_DOUBLES = 1024;

async function readGeoKeys(reader: ByteReader, dir: TiffDirectory, name: string): Promise<GeoKeys> {
  const entry = dir.entries.get(Tag.GeoKeyDirectory);
  const field = 'GeoKeyDirectoryTag';
  if (entry === undefined) throw fail('not_georeferenced', name, field, 'no GeoKeyDirectoryTag: the TIFF carries no coordinate reference system');
  if (entry.type !== FieldType.SHORT) throw fail('not_georeferenced', name, field, `GeoKeyDirectoryTag must be SHORT (type ${entry.type})`);
  if (entry.count < 4) throw fail('not_georeferenced', name, field, 'GeoKeyDirectoryTag is too short');
  if (entry.count > 4 + 4 * 1024) throw fail('not_georeferenced', name, field, `GeoKeyDirectoryTag is implausibly long (${entry.count} values)`);
  const keys = await readNumbers(reader, dir, entry, name);
  if (keys[0] !== 1) throw fail('not_georeferenced', name, field, `unsupported GeoKeyDirectory version ${keys[0]}`);
  const n = keys[3]!;
  if (4 + 4 * n > keys.length) throw fail('not_georeferenced', name, field, `GeoKeyDirectoryTag declares ${n} keys but holds ${(keys.length - 4) / 4}`);
  const out: GeoKeys = { modelType: null, rasterType: null, geographic: null, projected: null, shorts: new Map(), doubleRefs: new Map() };
  for (let i = 0; i < n; i++) {
    const [id, location, count, value] = [keys[4 + i * 4]!, keys[5 + i * 4]!, keys[6 + i * 4]!, keys[7 + i * 4]!];
    const coded = id === GEOKEY_GT_MODEL_TYPE || id === GEOKEY_GT_RASTER_TYPE || id === GEOKEY_GEOGRAPHIC_TYPE || id === GEOKEY_PROJECTED_CS_TYPE;
    if (coded && (location !== 0 || count !== 1)) {
      throw fail('not_georeferenced', name, field, `GeoKey ${id} must be an inline SHORT value`);
    }
    if (location === 0 && count === 1) out.shorts.set(id, value);
    else if (location === Tag.GeoDoubleParams) out.doubleRefs.set(id, { index: value, count });
    if (id === GEOKEY_GT_MODEL_TYPE) out.modelType = value;
    else if (id === GEOKEY_GT_RASTER_TYPE) out.rasterType = value;
    else if (id === GEOKEY_GEOGRAPHIC_TYPE) out.geographic = value;
    else if (id === GEOKEY_PROJECTED_CS_TYPE) out.projected = value;
  }
  return out;
}

/** The GeoDoubleParamsTag values of the keys a CRS's identification reads (geokey-crs.ts), each one value. */
async function geoKeyValues(reader: ByteReader, dir: TiffDirectory, keys: GeoKeys, name: string): Promise<GeoKeyValues> {
  const values = new Map<number, number>();
  const wanted = [...keys.doubleRefs].filter(([id]) => GEOKEY_NAMES[id] !== undefined);
  if (wanted.length > 0) {
    const entry = dir.entries.get(Tag.GeoDoubleParams);
    if (entry === undefined) throw fail('not_georeferenced', name, 'GeoDoubleParamsTag', `${GEOKEY_NAMES[wanted[0]![0]]} points into GeoDoubleParamsTag, which the file does not have`);
    const all = await doubles(reader, dir, entry, name, MAX_GEO_DOUBLES);
    for (const [id, { index, count }] of wanted) {
      if (count !== 1 || index >= all.length) {
        throw fail('not_georeferenced', name, GEOKEY_NAMES[id]!, `${GEOKEY_NAMES[id]} must be one value inside GeoDoubleParamsTag (${count} at index ${index} of ${all.length})`);
      }
      values.set(id, all[index]!);
    }
  }
  return { shorts: keys.shorts, doubles: values };
}

/**
 * The file's geotransform and CRS. A user-defined CRS (code 32767) is read as the EPSG code whose definition
 * it matches, `crsParameters` then saying what the keys hold (geokey-crs.ts).
 */
export async function readGeoreferencing(reader: ByteReader, dir: TiffDirectory, name: string): Promise<{ geoTransform: GeoTransform; epsg: number; crsParameters?: string }> {
  const scaleEntry = dir.entries.get(Tag.ModelPixelScale);
  const tieEntry = dir.entries.get(Tag.ModelTiepoint);
  const matrixEntry = dir.entries.get(Tag.ModelTransformation);
  let gt: GeoTransform;
  if (tieEntry !== undefined && scaleEntry !== undefined) {
    const tie = await doubles(reader, dir, tieEntry, name, 6);
    const scale = await doubles(reader, dir, scaleEntry, name, 3);
    if (tie.length < 6 || tie.length % 6 !== 0) throw fail('not_georeferenced', name, 'ModelTiepointTag', `ModelTiepointTag has ${tie.length} values`);
    if (scale.length < 2) throw fail('not_georeferenced', name, 'ModelPixelScaleTag', `ModelPixelScaleTag has ${scale.length} values`);
    const [i, j, , x, y] = tie as [number, number, number, number, number, number];
    const [sx, sy] = scale as [number, number];
    if (!(sx > 0) || !(sy > 0)) {
      throw fail('unsupported_raster', name, 'ModelPixelScaleTag', `pixel scale (${sx}, ${sy}) is not a north-up grid (both must be > 0)`);
    }
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  } else if (matrixEntry !== undefined) {
    const m = await doubles(reader, dir, matrixEntry, name, 16);
    if (m.length !== 16) throw fail('not_georeferenced', name, 'ModelTransformationTag', `ModelTransformationTag has ${m.length} values, 16 needed`);
    if (m[1] !== 0 || m[4] !== 0) {
      throw fail('unsupported_raster', name, 'ModelTransformationTag', 'rotated or sheared rasters are not supported; warp to a north-up grid first (gdalwarp)');
    }
    if (!(m[0]! > 0) || !(m[5]! < 0)) {
      throw fail('unsupported_raster', name, 'ModelTransformationTag', `pixel size (${m[0]}, ${m[5]}) is not a north-up grid`);
    }
    gt = [m[3]!, m[0]!, 0, m[7]!, 0, m[5]!];
  } else if (tieEntry !== undefined) {
    await doubles(reader, dir, tieEntry, name, 6); // several tie points: GCPs -> unsupported_raster
    throw fail('not_georeferenced', name, 'ModelPixelScaleTag', 'ModelTiepointTag without ModelPixelScaleTag: no geotransform');
  } else {
    throw fail(
      'not_georeferenced',
      name,
      'ModelTiepointTag',
      scaleEntry !== undefined
        ? 'ModelPixelScaleTag without ModelTiepointTag: no geotransform'
        : 'no georeferencing (neither ModelPixelScaleTag + ModelTiepointTag nor ModelTransformationTag)',
    );
  }

  const keys = await readGeoKeys(reader, dir, name);
  // GDAL: RasterPixelIsPoint means the tie point refers to the pixel centre -> shift by half a pixel.
  if (keys.rasterType === 2) {
    gt = [gt[0] - gt[1] * 0.5 - gt[2] * 0.5, gt[1], gt[2], gt[3] - gt[4] * 0.5 - gt[5] * 0.5, gt[4], gt[5]];
  }
  let epsg: number | null;
  let field: string;
  if (keys.modelType === 2) {
    epsg = keys.geographic;
    field = 'GeographicTypeGeoKey';
  } else if (keys.modelType === 1 || keys.modelType === null) {
    epsg = keys.projected ?? (keys.modelType === null ? keys.geographic : null);
    field = keys.projected !== null || keys.geographic === null ? 'ProjectedCSTypeGeoKey' : 'GeographicTypeGeoKey';
  } else {
    throw fail('unsupported_raster', name, 'GTModelTypeGeoKey', `GTModelTypeGeoKey ${keys.modelType} is not supported (projected or geographic only)`);
  }
  if (epsg === null) throw fail('not_georeferenced', name, field, `no ${field}: the coordinate reference system has no EPSG code`);
  if (gt.some((v) => !Number.isFinite(v))) throw fail('not_georeferenced', name, 'ModelTiepointTag', 'geotransform is not finite');
  if (epsg === USER_DEFINED) {
    const identified = identifyUserDefinedCrs(await geoKeyValues(reader, dir, keys, name), field === 'ProjectedCSTypeGeoKey', name);
    return { geoTransform: gt, epsg: identified.epsg, crsParameters: identified.parameters };
  }
  if (epsg <= 0) throw fail('not_georeferenced', name, field, `${field} is ${epsg}, not an EPSG code`);
  return { geoTransform: gt, epsg };
}

// --- GDAL metadata -------------------------------------------------------------------------------

export function parseNodata(text: string, name: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  if (/^[+-]?nan$/i.test(t)) return Number.NaN;
  if (/^[+]?inf(inity)?$/i.test(t)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(t)) return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    throw fail('not_geotiff', name, 'GDAL_NODATA', `GDAL_NODATA value ${JSON.stringify(t.slice(0, 40))} is not a number`);
  }
  return Number(t);
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;

/**
 * The name="value" / name='value' attributes of an <Item ...> tag; later duplicates win. One pass, each
 * character looked at a bounded number of times (the text is untrusted: no backtracking).
 */
function parseItemAttributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isNameStart(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isNameChar(text.charCodeAt(j))) j++;
    let k = j;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) !== 61 /* = */) {
      i = j;
      continue;
    }
    k++;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    const quote = text[k];
    if (quote !== '"' && quote !== "'") {
      i = k;
      continue;
    }
    const end = text.indexOf(quote, k + 1);
    if (end < 0) break;
    attrs.set(text.slice(i, j), unescapeXml(text.slice(k + 1, end)));
    i = end + 1;
  }
  return attrs;
}

/** Index of the '>' closing a `</Item` at `at` (only whitespace between), or -1. */
function itemEndClose(xml: string, at: number): number {
  let k = at + 6;
  while (k < xml.length && isSpace(xml.charCodeAt(k))) k++;
  return xml.charCodeAt(k) === 62 /* > */ ? k : -1;
}

/**
 * Parses GDAL's <GDALMetadata><Item name=".." [sample="i"] [role=".."] [domain=".."]>value</Item>...
 * A linear scan (indexOf), not regular expressions: the text comes from an untrusted file, and patterns
 * that search ahead for a closing tag or backtrack through a long name take time quadratic in its length
 * (measured on hostile files: 1 MB of unclosed items took 33 s).
 */
export function parseGdalMetadata(xml: string, bands: number): { metadata: Record<string, string>; bandDescriptions: (string | null)[]; colorInterpretations: (string | null)[] } {
  const metadata: Record<string, string> = {};
  const bandDescriptions: (string | null)[] = new Array<string | null>(bands).fill(null);
  const colorInterpretations: (string | null)[] = new Array<string | null>(bands).fill(null);
  // Once no `</Item>` follows, only self-closing items can still be complete.
  let closable = true;
  let pos = 0;
  for (;;) {
    const start = xml.indexOf('<Item', pos);
    if (start < 0) break;
    pos = start + 5;
    if (pos < xml.length && isNameChar(xml.charCodeAt(pos)) && xml.charCodeAt(pos) !== 45 && xml.charCodeAt(pos) !== 46) continue; // <Items…: another tag
    const close = xml.indexOf('>', pos);
    if (close < 0) break;
    const selfClosing = close > pos && xml.charCodeAt(close - 1) === 47; /* / */
    const attrText = xml.slice(pos, selfClosing ? close - 1 : close);
    let value = '';
    if (selfClosing) {
      pos = close + 1;
    } else {
      if (!closable) {
        pos = close + 1;
        continue;
      }
      let end = xml.indexOf('</Item', close + 1);
      let endClose = end < 0 ? -1 : itemEndClose(xml, end);
      while (end >= 0 && endClose < 0) {
        end = xml.indexOf('</Item', end + 6);
        endClose = end < 0 ? -1 : itemEndClose(xml, end);
      }
      if (end < 0) {
        closable = false;
        pos = close + 1;
        continue;
      }
      value = unescapeXml(xml.slice(close + 1, end));
      pos = endClose + 1;
    }
    const attrs = parseItemAttributes(attrText);
    const itemName = attrs.get('name');
    if (itemName === undefined) continue;
    const domain = attrs.get('domain');
    if (domain !== undefined && domain !== '') continue;
    const sampleText = attrs.get('sample');
    if (sampleText !== undefined) {
      const sample = Number(sampleText);
      if (Number.isInteger(sample) && sample >= 0 && sample < bands) {
        if (attrs.get('role') === 'description') bandDescriptions[sample] = value;
        else if (attrs.get('role') === 'colorinterp') colorInterpretations[sample] = value;
      }
      continue;
    }
    if (attrs.has('role')) continue;
    if (Object.prototype.hasOwnProperty.call(metadata, itemName) || itemName === '__proto__') continue;
    metadata[itemName] = value;
  }
  return { metadata, bandDescriptions, colorInterpretations };
}

/**
 * The alpha band (0-based) as GDAL reads it: GDAL_METADATA's colour interpretation of the last band when it
 * states one (GDAL writes RGB + alpha tags for any 4-band byte copy and records the bands' real
 * interpretation there: a Landsat stack's fourth band is "Undefined", not alpha), else the TIFF's ExtraSamples.
 */
export function alphaBandOf(bands: number, alphaSample: boolean, colorInterpretations: readonly (string | null)[]): number | null {
  const stated = colorInterpretations[bands - 1] ?? null;
  const alpha = stated !== null ? bands > 1 && stated.trim().toLowerCase() === 'alpha' : alphaSample;
  return alpha ? bands - 1 : null;
}

export async function readGdalTags(
  reader: ByteReader,
  dir: TiffDirectory,
  bands: number,
  name: string,
): Promise<{ nodata: number | null; metadata: Record<string, string>; bandDescriptions: (string | null)[]; colorInterpretations: (string | null)[] }> {
  let nodata: number | null = null;
  const nodataEntry = dir.entries.get(Tag.GDAL_NODATA);
  if (nodataEntry !== undefined) nodata = parseNodata(await readAscii(reader, nodataEntry, name, 1024), name);
  const mdEntry = dir.entries.get(Tag.GDAL_METADATA);
  const none = () => new Array<string | null>(bands).fill(null);
  if (mdEntry === undefined) return { nodata, metadata: {}, bandDescriptions: none(), colorInterpretations: none() };
  const xml = await readAscii(reader, mdEntry, name, 4 << 20);
  return { nodata, ...parseGdalMetadata(xml, bands) };
}
