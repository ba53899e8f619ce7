/**
 * "Every band at one value" mask, one epoch at a time: what a clipped pixel and a fill pixel look like.
 *
 * Layout: `planar` is band-sequential (`planar[b*width*height + y*width + x]`); `valid` is
 * Uint8Array(width*height), 1 valid / 0 invalid, only ever cleared.
 * Units: raw samples, compared as float32. Two uses (detection/validity.ts):
 * - saturation: `value` is what a clipped sample takes (the type's maximum, e.g. 65535 for uint16, or a
 *   value the operator declares). Why every band: a pixel clipped in one band still carries a change
 *   signal in the others (a new white roof clipped in red is still "at least this bright", exactly the
 *   change to report); a pixel clipped in all bands (blooming, an over-exposed drone frame, a cloud core)
 *   has no spectral information left to compare.
 * - fill: `value` is 0, what Sentinel-2 and Landsat products, orthorectified scene frames and drone
 *   orthophotos without alpha hold outside the imaged ground when the file declares no nodata. Why every
 *   band: a real pixel can read 0 in one band (dark water in the SWIR), almost never in all of them.
 * Edges: purely per-pixel.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Planar samples as read: float32 windows, or a file's own samples. */
type Planar = Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/**
 * Clears `valid` where every one of `bands` samples equals `value` (as float32: a value every sample
 * type holds exactly, as 0 and the integer types' maxima are, compares the same in any of them).
 */
export function andNotEveryBandAtMask(planar: Planar, width: number, height: number, bands: number, value: number, valid: Uint8Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  const level = Math.fround(value);
  for (let i = 0; i < pixels; i++) {
    if (valid[i] === 0) continue;
    let b = 0;
    while (b < bands && planar[b * pixels + i] === level) b++;
    if (b === bands) valid[i] = 0;
  }
}
