import type { GeoTiffRaster } from './geotiff-source.js';
import { withInfo } from './declare-nodata.js';

/**
 * The raster with its georeferencing corrected by whole pixels: its pixel (x + dx, y + dy) stands where its
 * pixel (x, y) stood. What co-registration to an earlier epoch measured (detection/registration.ts): the
 * file's content lies `shift` pixels from where its geotransform puts it. Reads are the file's; only
 * `info.geoTransform` changes (north-up files: rotation and shear are refused when the file is opened), so
 * the file stays on its pixel lattice and is read at an offset, never resampled. [0, 0] or undefined returns
 * the raster as it is.
 */
export function shiftGeoreference(raster: GeoTiffRaster, shift: readonly [number, number] | undefined): GeoTiffRaster {
  if (shift === undefined || (shift[0] === 0 && shift[1] === 0)) return raster;
  const [dx, dy] = shift;
  if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new RangeError(`shiftGeoreference: whole pixels expected, got [${dx}, ${dy}]`);
  const gt = raster.info.geoTransform;
  // x0 + (x + dx)·a must give the old x0 + x·a: x0' = x0 − dx·a (likewise rows with e).
  return withInfo(raster, { ...raster.info, geoTransform: [gt[0] - dx * gt[1], gt[1], gt[2], gt[3] - dy * gt[5], gt[4], gt[5]] });
}
