/**
 * Resampling a scene onto its area's analysis grid, window by window, into a tiled GeoTIFF file.
 *
 * Memory is bounded whatever the scene's size: the output is written one 256×256 tile at a time, and for
 * each tile only the source window its pixels fall in is decoded (split further when that window would
 * hold more than SOURCE_WINDOW_SAMPLES samples, e.g. a 0.1 m drone orthophoto onto a 2 m grid). Grid
 * pixel centres are mapped into the source with the approximate transformer (geo/grid-to-source.ts,
 * error ≤ 0.125 source pixel), then resampled by kernels/resample.ts: bilinear for reflectance bands,
 * nearest for mask and class bands. Pixels outside the source become nodata.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InvalidInputError } from '../errors.js';
import { crsDefinition, isGeographicEpsg } from '../geo/crs.js';
import { APPROX_MAX_ERROR_PX, gridToSource, sourceFootprint, type GridToSource } from '../geo/grid-to-source.js';
import { type Lattice, type LatticeWindow, intersect, windowGeoTransform } from '../grid/lattice.js';
import { extentWindow, type GridExtent } from '../grid/area-grid.js';
import { markFill, markTransparent, resampleRect, SOURCE_NODATA, sourcePixelStatus, windowFor, type OutputSamples, type SampleArray } from '../kernels/resample.js';
import { MAX_RASTER_SIDE, type GeoTiffRaster, type RasterInfo } from '../raster/index.js';
import { sampleArrayType, TiledGeoTiffWriter } from '../raster/write-tiled-geotiff.js';

/** Most source samples (pixels × bands) decoded at once for one piece of an output tile. */
export const SOURCE_WINDOW_SAMPLES = 1 << 24;
/** Tile edge of resampled files. */
export const RESAMPLED_TILE_SIZE = 256;
/**
 * zlib level of resampled files: 1 writes them about 5 times faster than GDAL's default 6, for files
 * about a third larger (measured on 16-bit reflectance): ingest time matters more for these working copies.
 */
export const RESAMPLED_DEFLATE_LEVEL = 1;
/**
 * zlib strategy of resampled files: runs only (Z_RLE). On predictor-differenced imagery longer matches are
 * rare and cost more bits than they save: measured on 256² tiles of real scenes (Sentinel-2 10 m bands,
 * 16-bit; Landsat and LEVIR, 8-bit) against the default strategy at level 1, 5 % / 3 % smaller and 2–3
 * times faster; runs still pack nodata borders and mask bands.
 */
export const RESAMPLED_DEFLATE_STRATEGY: 'default' | 'rle' = 'rle';
/**
 * The bilinear kernel is widened (to the scale factor) only where the grid is at least this much coarser
 * than the source: at about equal pixel sizes (UTM's 0.9996 scale against Gauss–Krüger's 1) it stays
 * the plain 2×2 bilinear.
 */
export const WIDEN_KERNEL_ABOVE = 1.05;

/** How a scene was resampled, as recorded in its scene record. */
export interface ResamplingMethod {
  /** reflectance bands */
  bands: 'bilinear';
  /** mask and class bands (the operator cloud mask band or file) */
  masks: 'nearest';
  /** source pixels per grid pixel at the centre of the scene, along grid columns and rows */
  scale: [number, number];
  /** the coordinate transform: exact (same CRS: affine) or approximated within maxErrorPx source pixels */
  transform: { kind: 'affine' } | { kind: 'approximate'; maxErrorPx: number };
}

/** The nodata value of a resampled file: the source's when its type can hold it, else NaN, the type minimum (signed) or maximum (unsigned). */
export function resampledNodata(sampleFormat: 'uint' | 'int' | 'float', bitsPerSample: number, nodata: number | null): number {
  if (nodata !== null) {
    if (sampleFormat === 'float') {
      if (Number.isNaN(nodata) || bitsPerSample === 64 || Number.isFinite(Math.fround(nodata))) return nodata;
    } else {
      const [lo, hi] = integerRange(sampleFormat, bitsPerSample);
      if (Number.isInteger(nodata) && nodata >= lo && nodata <= hi) return nodata;
    }
  }
  if (sampleFormat === 'float') return Number.NaN;
  return sampleFormat === 'int' ? integerRange(sampleFormat, bitsPerSample)[0] : integerRange(sampleFormat, bitsPerSample)[1];
}

function integerRange(sampleFormat: 'uint' | 'int', bits: number): [number, number] {
  return sampleFormat === 'int' ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** Sample type of the resampled file: the source's (float16 files, read as float32, become float32). */
export function resampledType(info: Pick<RasterInfo, 'sampleFormat' | 'bitsPerSample'>): { sampleFormat: 'uint' | 'int' | 'float'; bitsPerSample: number } {
  return info.sampleFormat === 'float' && info.bitsPerSample === 16 ? { sampleFormat: 'float', bitsPerSample: 32 } : { sampleFormat: info.sampleFormat, bitsPerSample: info.bitsPerSample };
}

/**
 * The grid window a scene is resampled into: its footprint on the grid, cut to the grid's region of
 * interest. InvalidInputError naming the file when the scene lies outside the region of interest or its
 * outline cannot be transformed ('outside_area'), the window would be too large ('grid_too_large'), or
 * the scene's or the grid's CRS is not one shoutu can transform ('crs_unknown').
 */
export function gridWindowOf(file: string, info: Pick<RasterInfo, 'epsg' | 'geoTransform' | 'width' | 'height'>, lattice: Lattice, extent: GridExtent | undefined): LatticeWindow {
  crsDefinition(info.epsg, { file, field: 'epsg' });
  if (isGeographicEpsg(lattice.epsg) === null) {
    throw new InvalidInputError('crs_unknown', `${file}: the area grid's CRS, EPSG:${lattice.epsg}, is not one shoutu can transform, so a scene in EPSG:${info.epsg} cannot be resampled onto it`, { file, field: 'epsg' });
  }
  const footprint = sourceFootprint(lattice, info.epsg, info.geoTransform, info.width, info.height);
  if (footprint === null) {
    throw new InvalidInputError('outside_area', `${file}: no corner or edge of the scene (EPSG:${info.epsg}) can be placed in the area grid's CRS (EPSG:${lattice.epsg})`, { file, field: 'geoTransform' });
  }
  const window = extent === undefined ? footprint : intersect(footprint, extentWindow(lattice, extent));
  if (window === null) {
    throw new InvalidInputError('outside_area', `${file}: the scene does not overlap the area grid's region of interest (extent [${extent!.join(', ')}] in EPSG:${lattice.epsg})`, { file, field: 'geoTransform' });
  }
  if (window.width > MAX_RASTER_SIDE || window.height > MAX_RASTER_SIDE) {
    throw new InvalidInputError('grid_too_large', `${file}: on the area grid (${lattice.pixelWidth} × ${lattice.pixelHeight} pixels) the scene would be ${window.width} × ${window.height} pixels, over the limit of ${MAX_RASTER_SIDE}`, { file, field: 'geoTransform' });
  }
  return window;
}

export interface ResampleOptions {
  /** file name for messages */
  file: string;
  raster: GeoTiffRaster;
  lattice: Lattice;
  /** the grid window to fill (gridWindowOf) */
  window: LatticeWindow;
  /** the source's effective nodata (batch.json's, else the file's), or null */
  nodata: number | null;
  /** sample value of a clipped sample (validity), or null */
  saturation: number | null;
  /** value every image band of a fill pixel holds (validity typeFill), or null: those pixels count as nodata */
  fill?: number | null;
  /** bands of imagery (a cloud mask band, when there is one, comes after them) */
  imageBands: number;
  /** 0-based bands resampled by nearest neighbour (mask and class bands); every band with allNearest */
  nearestBands: readonly number[];
  /** 0-based band of the source's alpha: its transparent pixels (0) count as nodata */
  alphaBand?: number | null;
  allNearest?: boolean;
  maxErrorPx?: number;
  sourceWindowSamples?: number;
  /** 'deflate' (default; level RESAMPLED_DEFLATE_LEVEL) for stored files, 'none' for scratch files read once */
  compression?: 'deflate' | 'none';
  /** Leave tiles with no valid pixel out of the file (sparse tiles, read as nodata). */
  sparse?: boolean;
}

export interface ResampleResult {
  nodata: number;
  sampleFormat: 'uint' | 'int' | 'float';
  bitsPerSample: number;
  /** grid pixels that received data (not nodata) */
  validPixels: number;
  method: ResamplingMethod;
  sha256: string;
  bytes: number;
}

/** Resamples `options.raster` onto `options.window` of the grid and writes it as a tiled GeoTIFF to `path`. */
export async function resampleToFile(path: string, options: ResampleOptions): Promise<ResampleResult> {
  const { raster, lattice, window, file } = options;
  const info = raster.info;
  const { sampleFormat, bitsPerSample } = resampledType(info);
  const Type = sampleArrayType(sampleFormat, bitsPerSample);
  const nodata = resampledNodata(sampleFormat, bitsPerSample, options.nodata);
  const float32 = sampleFormat === 'float' && bitsPerSample === 32;
  const asStored = (v: number) => (float32 ? Math.fround(v) : v);
  const integer = sampleFormat !== 'float';
  const [min, max] = integer ? integerRange(sampleFormat, bitsPerSample) : [-Infinity, Infinity];
  const transform = gridToSource(lattice, info.epsg, info.geoTransform, options.maxErrorPx ?? APPROX_MAX_ERROR_PX);
  // Rounded, so that the recorded scale is exactly the one used.
  const scale = scaleAt(transform, window).map(round) as [number, number];
  const radius = scale.map((s) => (s > WIDEN_KERNEL_ABOVE ? s : 1)) as [number, number];
  const bands = info.bands;
  const nearest = new Uint8Array(bands);
  for (let b = 0; b < bands; b++) nearest[b] = options.allNearest || options.nearestBands.includes(b) ? 1 : 0;
  const budget = options.sourceWindowSamples ?? SOURCE_WINDOW_SAMPLES;
  const sourceNodata = options.nodata === null ? null : asStored(options.nodata);
  const saturation = options.saturation === null ? null : asStored(options.saturation);

  const writer = await TiledGeoTiffWriter.create(path, {
    width: window.width,
    height: window.height,
    bands,
    sampleFormat,
    bitsPerSample,
    geoTransform: windowGeoTransform(lattice, window),
    epsg: lattice.epsg,
    nodata,
    tileSize: RESAMPLED_TILE_SIZE,
    deflateLevel: RESAMPLED_DEFLATE_LEVEL,
    deflateStrategy: RESAMPLED_DEFLATE_STRATEGY,
    compression: options.compression ?? 'deflate',
  });
  const T = writer.tileSize;
  const tile = new Type(bands * T * T);
  const output: OutputSamples = { out: tile, outWidth: T, outPlane: T * T, outX: 0, outY: 0, fill: asStored(nodata), integer, float32, min, max };
  let validPixels = 0;

  /** Fills the w×h part of the tile at (x, y), which is grid pixel (col, row), splitting it while its source window is over budget. */
  const fillRect = async (col: number, row: number, x: number, y: number, w: number, h: number): Promise<void> => {
    const coords = new Float64Array(2 * w * h);
    for (let j = 0; j < h; j++) transform.row(col, row + j, w, coords, 2 * j * w);
    const source = windowFor(coords, w * h, info.width, info.height, radius[0], radius[1]);
    if (source !== null && source.width * source.height * bands > budget && w * h > 1) {
      if (w >= h) {
        const half = w >> 1;
        await fillRect(col, row, x, y, half, h);
        await fillRect(col + half, row, x + half, y, w - half, h);
      } else {
        const half = h >> 1;
        await fillRect(col, row, x, y, w, half);
        await fillRect(col, row + half, x, y + half, w, h - half);
      }
      return;
    }
    let samples: SampleArray = new Type(0);
    let status = new Uint8Array(0);
    const win = source ?? { x0: 0, y0: 0, width: 0, height: 0 };
    if (source !== null) {
      samples = (await raster.readWindowNative(source.x0, source.y0, source.width, source.height)) as SampleArray;
      status = new Uint8Array(source.width * source.height);
      sourcePixelStatus(samples, source.width * source.height, bands, options.allNearest ? bands : options.imageBands, options.allNearest ? null : sourceNodata, options.allNearest ? null : saturation, status);
      if (!options.allNearest && options.alphaBand != null) markTransparent(samples, source.width * source.height, options.alphaBand, status);
      if (!options.allNearest && options.fill != null) markFill(samples, source.width * source.height, options.imageBands, asStored(options.fill), status);
      if (!options.allNearest && info.internalMask) {
        // the file's internal mask: ground it does not cover is nodata, as transparent pixels are
        const covered = (await raster.readMaskWindow(source.x0, source.y0, source.width, source.height))!;
        for (let i = 0; i < covered.length; i++) if (covered[i] === 0) status[i] = SOURCE_NODATA;
      }
    }
    output.outX = x;
    output.outY = y;
    validPixels += resampleRect(coords, w, h, { ...win, bands, samples, status }, info.width, info.height, nearest, radius[0], radius[1], output);
  };

  try {
    for (let ty = 0; ty < writer.tilesDown; ty++) {
      for (let tx = 0; tx < writer.tilesAcross; tx++) {
        tile.fill(output.fill);
        const w = Math.min(T, window.width - tx * T);
        const h = Math.min(T, window.height - ty * T);
        const validBefore = validPixels;
        await fillRect(window.col + tx * T, window.row + ty * T, 0, 0, w, h);
        if (options.sparse && validPixels === validBefore) writer.skipTile(tx, ty);
        else await writer.writeTile(tx, ty, tile);
      }
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  const { sha256, bytes } = await hashFile(path);
  return {
    nodata,
    sampleFormat,
    bitsPerSample,
    validPixels,
    method: {
      bands: 'bilinear',
      masks: 'nearest',
      scale,
      transform: transform.affine ? { kind: 'affine' } : { kind: 'approximate', maxErrorPx: options.maxErrorPx ?? APPROX_MAX_ERROR_PX },
    },
    sha256,
    bytes,
  };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Source pixels per grid pixel along grid columns and rows, from the transform's Jacobian at the window's
 * centre (over a span of up to 64 pixels, so the approximation does not disturb it). One value per
 * scene: map projections change scale by well under 1 % across a scene.
 */
function scaleAt(transform: GridToSource, window: LatticeWindow): [number, number] {
  const span = Math.max(1, Math.min(64, Math.floor(Math.min(window.width, window.height) / 2)));
  const col = window.col + Math.floor(window.width / 2);
  const row = window.row + Math.floor(window.height / 2);
  const p = new Float64Array(2 * (span + 1));
  const q = new Float64Array(2 * (span + 1));
  transform.row(col - span, row, span + 1, p);
  transform.row(col - span, row - span, span + 1, q);
  // p: (col - span … col, row); q's first point: (col - span, row - span)
  const du = (p[2 * span]! - p[0]!) / span;
  const dv = (p[2 * span + 1]! - p[1]!) / span;
  const eu = (p[0]! - q[0]!) / span;
  const ev = (p[1]! - q[1]!) / span;
  const sx = Math.hypot(du, dv);
  const sy = Math.hypot(eu, ev);
  return [Number.isFinite(sx) ? sx : 1, Number.isFinite(sy) ? sy : 1];
}

async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}
