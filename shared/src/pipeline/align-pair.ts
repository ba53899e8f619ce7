/**
 * Putting the after file of a pair on the before file's grid, for `shoutu detect` and `npm run eval`.
 *
 * Two deliveries of the same ground rarely share a grid: Landsat scenes of one path/row have different
 * extents on the same UTM lattice, Sentinel-2 tiles of neighbouring zones another CRS, drone orthophotos
 * everything. The pipeline puts every scene on its area's analysis grid at ingest (place-scene.ts); here
 * the before file's grid is the analysis grid and the after file (and its cloud mask file) is resampled
 * onto it with the same code, into a scratch folder the caller removes. Pixels the after file does not
 * cover become nodata (255 in change.tif).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { extentOf, intersect, type Placement } from '../grid/lattice.js';
import type { GeoTiffRaster } from '../raster/index.js';
import { typeFill, typeSaturation } from '../detection/validity.js';
import { gridWindowOf, resampleToFile, type ResamplingMethod } from './resample-scene.js';

export interface AlignedFile {
  /** the resampled file, in the scratch folder */
  path: string;
  method: ResamplingMethod;
  /** grid pixels of the before grid the after file covers */
  validPixels: number;
}

/** A scratch folder for the resampled files; `remove` deletes it and everything in it. */
export interface Scratch {
  dir: string;
  remove(): Promise<void>;
}

/** InvalidInputError 'outside_area' naming an after file that shares no ground with the before file. */
export function noCommonGround(afterFile: string, beforeFile: string): InvalidInputError {
  return new InvalidInputError('outside_area', `${afterFile}: does not overlap ${beforeFile} (the pair must cover common ground)`, { file: afterFile, field: 'geoTransform' });
}

export async function makeScratch(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'shoutu-align-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Resamples `after` onto the whole of `grid` (bilinear for the image bands, the rules of
 * kernels/resample.ts), as `scratch/name`. InvalidInputError naming the after file: 'outside_area' when it
 * does not overlap the before file, 'crs_unknown' for a CRS shoutu cannot transform.
 */
export async function alignToGrid(
  scratch: Scratch,
  name: string,
  after: { raster: GeoTiffRaster; file: string; saturation: number | undefined; alphaBand?: number | null },
  beforeFile: string,
  grid: Placement,
  options: { mask: boolean },
): Promise<AlignedFile> {
  const info = after.raster.info;
  const window = extentOf(grid);
  const footprint = gridWindowOf(after.file, info, grid.lattice, undefined);
  if (intersect(footprint, window) === null) {
    throw noCommonGround(after.file, beforeFile);
  }
  const path = join(scratch.dir, name);
  const result = await resampleToFile(path, {
    file: after.file,
    raster: after.raster,
    lattice: grid.lattice,
    window,
    nodata: options.mask ? null : info.nodata,
    saturation: options.mask ? null : (after.saturation ?? typeSaturation(info.sampleFormat, info.bitsPerSample)),
    fill: options.mask ? null : typeFill({ ...info, imageBands: info.bands - (after.alphaBand != null ? 1 : 0) }),
    imageBands: options.mask ? 1 : info.bands - (after.alphaBand != null ? 1 : 0),
    nearestBands: options.mask ? [0] : after.alphaBand != null ? [after.alphaBand] : [],
    alphaBand: options.mask ? null : (after.alphaBand ?? null),
    ...(options.mask ? { allNearest: true } : {}),
    // read once by this detection and deleted: DEFLATE would take longer than the resampling; tiles the
    // after file does not reach are left out, so the file holds no more than the after file covers
    compression: 'none',
    sparse: true,
  });
  return { path, method: result.method, validPixels: result.validPixels };
}
