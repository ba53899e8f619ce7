/**
 * Operator-supplied masks and the hand-over of validity to the change kernels.
 *
 * Layout: `plane` is one Float32 band of `pixels` samples (a cloud mask band or a single-band mask
 * file); `planar` is band-sequential Float32; `valid` is Uint8Array(pixels), 1 valid / 0 invalid.
 * Edges: purely per-pixel.
 */

import { requireIntegerInRange, requireLength } from './argument-checks.js';

/**
 * Clears `valid` where the mask plane says "masked": any non-zero sample when `maskedValues` is null
 * (0 = clear, the usual convention of binary cloud masks), else a sample equal to one of
 * `maskedValues` (classified masks such as Fmask or Sentinel-2 SCL). Non-finite samples are masked:
 * a mask that does not say "clear" is not trusted to be clear.
 */
export function andMaskPlane(plane: Float32Array, pixels: number, maskedValues: Float64Array | null, valid: Uint8Array): void {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  requireLength('plane', plane, pixels);
  requireLength('valid', valid, pixels);
  if (maskedValues === null) {
    for (let i = 0; i < pixels; i++) {
      const v = plane[i]!;
      if (v !== 0) valid[i] = 0; // NaN !== 0 too
    }
    return;
  }
  const count = maskedValues.length;
  for (let i = 0; i < pixels; i++) {
    const v = plane[i]!;
    if (v - v !== 0) {
      valid[i] = 0;
      continue;
    }
    for (let k = 0; k < count; k++) {
      if (v === maskedValues[k]) {
        valid[i] = 0;
        break;
      }
    }
  }
}

/**
 * Writes NaN into every band of the pixels `valid` marks 0. The change kernels treat non-finite
 * samples as invalid, so a pixel masked here is never scored, never flagged, and 255 in change.tif.
 */
export function clearInvalidSamples(planar: Float32Array, pixels: number, bands: number, valid: Uint8Array): void {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  for (let b = 0; b < bands; b++) {
    const p = b * pixels;
    for (let i = 0; i < pixels; i++) if (valid[i] === 0) planar[p + i] = NaN;
  }
}
