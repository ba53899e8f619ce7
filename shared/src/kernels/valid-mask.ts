/**
 * Pixel validity mask, built one epoch at a time.
 *
 * Layout: `planar` is band-sequential (planar) Float32: the sample of band b at (x, y) is
 * `planar[b*width*height + y*width + x]`. `valid` is Uint8Array(width*height), 1 = valid, 0 = invalid.
 * Units: whatever the imagery carries (DN or reflectance); only equality with nodata and
 * finiteness are tested, never magnitudes.
 * Nodata: `nodata` is rounded to float32 (Math.fround) before comparing, because the samples
 * are float32: a GeoTIFF nodata tag of "0.1" must match the stored 0.1f, which as a double is
 * not 0.1. NaN and ±Infinity are always invalid (`v - v` is 0 for finite v and NaN otherwise,
 * so one comparison covers both).
 * Edges: purely per-pixel, there is no neighbourhood and no edge handling.
 * Why AND: a change score is only meaningful where both epochs have every band, so the caller
 * fills `valid` with 1 and ANDs each epoch in. The loop runs band-outer so that each band plane
 * is read sequentially.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/**
 * ANDs pixel validity of one epoch into `valid` (Uint8Array(width*height), 1 valid / 0 invalid;
 * the caller fills it with 1 first, then calls this once per epoch). A pixel is invalid when any
 * band's sample equals `nodata` (if nodata is not null) or is NaN/±Infinity.
 *
 * @param planar band-sequential samples, length >= bands*width*height
 * @param nodata nodata value of the source raster (compared as float32), or null for none
 * @param valid in/out mask; pixels are only ever cleared to 0, never set to 1
 */
export function andValidMask(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  nodata: number | null,
  valid: Uint8Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);

  // NaN nodata: NaN samples are already invalid, and `v === NaN` is never true, so this is harmless.
  const checkNodata = nodata !== null;
  const nodataF32 = nodata === null ? 0 : Math.fround(nodata);

  for (let b = 0; b < bands; b++) {
    const plane = b * pixels;
    for (let i = 0; i < pixels; i++) {
      const v = planar[plane + i];
      if (v - v !== 0 || (checkNodata && v === nodataF32)) valid[i] = 0;
    }
  }
}
