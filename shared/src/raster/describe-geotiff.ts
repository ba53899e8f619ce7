/**
 * The facts `shoutu info` reports about a GeoTIFF: size, bands, sample type, CRS, geotransform, nodata,
 * storage (compression, predictor, tiling, interleave, BigTIFF), overviews and internal mask, and per band
 * the SHA-256 of its samples as little-endian values in row-major order, so that pixel-exact reading can
 * be checked against GDAL from outside.
 *
 * Pixels are read through openGeoTiff (all its checks apply; files it refuses are refused here with the
 * same error), window by window: memory stays bounded whatever the raster size.
 */
import { createHash, type Hash } from 'node:crypto';
import { HOST_LITTLE_ENDIAN, swapBytes } from './block-decoders.js';
import { type GeoTiffRaster, type GeoTiffSource, openByteReader, openGeoTiff } from './geotiff-source.js';
import type { GeoTransform } from './geotransform.js';
import { layoutCompressionName, readLayout } from './raster-info.js';
import { type ByteReader, type TiffDirectory, Tag, readFirstDirectory, readNextDirectory, readNumbers } from './tiff-structure.js';

export interface GeoTiffDescription {
  file: string;
  fileBytes: number;
  width: number;
  height: number;
  bands: number;
  /** uint8 … float64; float16 samples are read (and hashed) as float32, as GDAL reads them */
  sampleType: string;
  /** `parameters`: a user-defined CRS read as `epsg`, what its GeoKeys hold */
  crs: { epsg: number; parameters?: string };
  geoTransform: GeoTransform;
  /** GDAL nodata value; NaN and infinities as the strings "nan", "inf", "-inf" (JSON has no such numbers) */
  nodata: number | string | null;
  compression: string;
  predictor: 'none' | 'horizontal' | 'floating-point';
  tiled: boolean;
  /** tile size, or strip width × rows per strip */
  blockSize: [number, number];
  interleave: 'pixel' | 'band';
  bigTiff: boolean;
  byteOrder: 'little-endian' | 'big-endian';
  /** reduced-resolution images after the first, largest first (GDAL / COG overviews) */
  overviews: Array<[number, number]>;
  /** the file carries a GDAL internal mask (NewSubfileType 4 IFD of the full size) */
  internalMask: boolean;
  /** the band (1-based) the file marks as alpha (transparency), read as validity and not imagery; null when none */
  alphaBand: number | null;
  /** each band's description (GDAL_METADATA role "description"; null where there is none) */
  bandDescriptions: (string | null)[];
  /** SHA-256 (hex) of each band's samples, little-endian, row-major */
  bandSha256: string[];
  /** problems that do not stop reading the first image (e.g. a broken overview IFD) */
  warnings: string[];
}

/** IFDs after the first that are looked at (a COG of a 100000-pixel image has ~10 overviews + masks). */
const MAX_EXTRA_IFDS = 64;
/** Values (pixels × bands) per window while hashing: 16 MiB of float32. */
const HASH_WINDOW_VALUES = 1 << 22;

const SUBFILE_REDUCED = 1;
const SUBFILE_MASK = 4;

function sampleTypeOf(info: GeoTiffRaster['info']): string {
  return `${info.sampleFormat}${info.bitsPerSample}`;
}

function nodataJson(value: number | null): number | string | null {
  if (value === null || Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}

/**
 * Hashes every band's samples, reading full-width windows of rows from top to bottom (about
 * `windowValues` samples at a time, at least one row).
 */
export async function hashBands(raster: GeoTiffRaster, windowValues = HASH_WINDOW_VALUES): Promise<string[]> {
  const { width, height, bands } = raster.info;
  const hashes: Hash[] = Array.from({ length: bands }, () => createHash('sha256'));
  const rowsPerWindow = Math.max(1, Math.floor(windowValues / (width * bands)));
  for (let y = 0; y < height; y += rowsPerWindow) {
    const rows = Math.min(rowsPerWindow, height - y);
    const samples = await raster.readWindowNative(0, y, width, rows);
    const plane = width * rows;
    for (let b = 0; b < bands; b++) {
      let bytes = new Uint8Array(samples.buffer, samples.byteOffset + b * plane * samples.BYTES_PER_ELEMENT, plane * samples.BYTES_PER_ELEMENT);
      if (!HOST_LITTLE_ENDIAN) {
        bytes = bytes.slice();
        swapBytes(bytes, samples.BYTES_PER_ELEMENT);
      }
      hashes[b]!.update(bytes);
    }
  }
  return hashes.map((h) => h.digest('hex'));
}

async function firstNumber(reader: ByteReader, dir: TiffDirectory, tag: number, name: string, fallback: number): Promise<number> {
  const entry = dir.entries.get(tag);
  if (entry === undefined || entry.count < 1) return fallback;
  const values = await readNumbers(reader, dir, { ...entry, count: 1, byteLength: entry.byteLength / entry.count }, name);
  return values[0]!;
}

/** Overviews: the IFDs after the first, bounded in number and refusing loops (the internal mask is openGeoTiff's, RasterInfo.internalMask). */
async function readSubfiles(reader: ByteReader, first: TiffDirectory, name: string) {
  const overviews: Array<[number, number]> = [];
  const warnings: string[] = [];
  const seen = new Set<number>([first.ifdOffset]);
  let dir = first;
  for (let index = 1; ; index++) {
    if (dir.nextIfdOffset === 0) break;
    if (index > MAX_EXTRA_IFDS) {
      warnings.push(`more than ${MAX_EXTRA_IFDS} IFDs after the first; the rest were not read`);
      break;
    }
    if (seen.has(dir.nextIfdOffset)) {
      warnings.push(`IFD ${index} points back to an earlier IFD (loop); the chain was not followed further`);
      break;
    }
    try {
      const next = await readNextDirectory(reader, dir, name, index);
      if (next === null) break;
      seen.add(next.ifdOffset);
      dir = next;
      const type = await firstNumber(reader, dir, Tag.NewSubfileType, name, 0);
      const w = await firstNumber(reader, dir, Tag.ImageWidth, name, 0);
      const h = await firstNumber(reader, dir, Tag.ImageLength, name, 0);
      if (!(type & SUBFILE_MASK) && type & SUBFILE_REDUCED) {
        overviews.push([w, h]);
      }
    } catch (error) {
      warnings.push(error instanceof Error ? error.message : String(error));
      break;
    }
  }
  return { overviews, warnings };
}

/** Storage facts of the first image; the file has already passed openGeoTiff's checks. */
async function readStorage(reader: ByteReader, name: string, info: GeoTiffRaster['info']) {
  const dir = await readFirstDirectory(reader, name);
  const { layout } = await readLayout(reader, dir, name);
  const subfiles = await readSubfiles(reader, dir, name);
  return {
    compression: layoutCompressionName(layout),
    predictor: layout.predictor === 2 ? ('horizontal' as const) : layout.predictor === 3 ? ('floating-point' as const) : ('none' as const),
    tiled: layout.tiled,
    blockSize: [layout.blockWidth, layout.blockHeight] as [number, number],
    interleave: layout.planarConfiguration === 2 && info.bands > 1 ? ('band' as const) : ('pixel' as const),
    bigTiff: dir.bigTiff,
    byteOrder: dir.littleEndian ? ('little-endian' as const) : ('big-endian' as const),
    ...subfiles,
  };
}

/**
 * Describes a GeoTIFF (local path, bytes or remote object; `name` is used in messages). Throws what openGeoTiff throws
 * for files shoutu cannot read (InvalidInputError 'not_geotiff', 'not_georeferenced',
 * 'unsupported_raster' naming the field, e.g. Compression "JPEG (7)"; 'corrupt_raster' while hashing).
 */
export async function describeGeoTiff(source: GeoTiffSource, name: string): Promise<GeoTiffDescription> {
  const raster = await openGeoTiff(source, name);
  let reader: ByteReader | null = null;
  try {
    reader = await openByteReader(source, name);
    const info = raster.info;
    const storage = await readStorage(reader, name, info);
    const bandSha256 = await hashBands(raster);
    return {
      file: name,
      fileBytes: reader.size,
      width: info.width,
      height: info.height,
      bands: info.bands,
      sampleType: sampleTypeOf(info),
      crs: { epsg: info.epsg, ...(info.crsParameters !== undefined ? { parameters: info.crsParameters } : {}) },
      geoTransform: info.geoTransform,
      nodata: nodataJson(info.nodata),
      ...storage,
      internalMask: info.internalMask,
      alphaBand: info.alphaBand === null ? null : info.alphaBand + 1,
      bandDescriptions: info.bandDescriptions,
      bandSha256,
    };
  } finally {
    await raster.close();
    await reader?.close();
  }
}
