/**
 * Saturation mask, one epoch at a time.
 *
 * Layout: `planar` is band-sequential Float32 (`planar[b*width*height + y*width + x]`); `valid` is
 * Uint8Array(width*height), 1 valid / 0 invalid, only ever cleared.
 * Units: raw samples; `saturation` is the value a clipped sample takes (the file type's maximum, e.g.
 * 255 for uint8, 65535 for uint16, or a value the operator declares), compared as float32.
 * Rule: a pixel is invalid when **every** band is at the saturation value. Why every band: a pixel
 * clipped in one band still carries a change signal in the others (a new white roof clipped at 255 in
 * red is still "at least this bright", which is exactly the change to report); a pixel clipped in all
 * bands (blooming, an over-exposed drone frame, a cloud core on an 8-bit product) has no spectral
 * information left to compare.
 * Edges: purely per-pixel.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/**
 * Clears `valid` where every one of `bands` samples equals `saturation` (as float32).
 */
export function andUnsaturatedMask(planar: Float32Array, width: number, height: number, bands: number, saturation: number, valid: Uint8Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  const level = Math.fround(saturation);
  for (let i = 0; i < pixels; i++) {
    if (valid[i] === 0) continue;
    let b = 0;
    while (b < bands && planar[b * pixels + i] === level) b++;
    if (b === bands) valid[i] = 0;
  }
}
