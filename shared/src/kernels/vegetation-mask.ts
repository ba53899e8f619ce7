/**
 * Pixels vegetated in both epochs: the seasonal part of a pair, which detector 3 never calls change
 * (crop growth, harvest, phenology — docs/detection.md, step 7a).
 *
 * Layout: `before`/`after` band-sequential (`planar[b*pixels + i]`), band arguments are positions in
 * them; `mask` Uint8Array(pixels), only ever cleared. Only the named bands are read. Vegetated means NDVI = (nir − red)/(nir + red) ≥ floor (Rouse et al. 1974), or, for RGB-only
 * imagery, ExG = (2g − r − b)/(r + g + b) ≥ floor (Woebbecke et al. 1995) — each computed exactly as
 * normalizedDifference / excessGreen compute it (float32 result), so the test agrees with the typing's
 * indices. An undefined index (zero sum, non-finite samples) is not vegetated.
 * Edges: purely per-pixel.
 */

import { requireIntegerInRange, requireLength } from './argument-checks.js';

/** Planar samples the test reads: float32, or a file's own 8/16-bit integers (exact in float32). */
export type VegetationSamples = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

export type VegetationTest =
  | { index: 'ndvi'; nir: number; red: number; floor: number }
  | { index: 'exg'; red: number; green: number; blue: number; floor: number };

/**
 * Clears `mask` (Uint8Array(pixels), 1 = set, 0 = not set: no other values) where both epochs are
 * vegetated, testing set pixels only, so the cost follows the set pixels (a change decision holds a few
 * per cent) rather than the window: the next set pixel is found with `indexOf` (the engine's native byte
 * search, several times faster than a JavaScript loop over the zeros).
 */
export function clearVegetatedInBoth(before: VegetationSamples, after: VegetationSamples, pixels: number, test: VegetationTest, mask: Uint8Array): void {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  const bands = test.index === 'ndvi' ? [test.nir, test.red] : [test.red, test.green, test.blue];
  for (const b of bands) requireIntegerInRange('band', b, 0, 0xffff);
  requireLength('before', before, (Math.max(...bands) + 1) * pixels);
  requireLength('after', after, (Math.max(...bands) + 1) * pixels);
  requireLength('mask', mask, pixels);
  const floor = test.floor;
  if (test.index === 'ndvi') {
    const pn = test.nir * pixels;
    const pr = test.red * pixels;
    for (let i = mask.indexOf(1); i >= 0 && i < pixels; i = mask.indexOf(1, i + 1)) {
      if (ndviAtLeast(before[pn + i]!, before[pr + i]!, floor) && ndviAtLeast(after[pn + i]!, after[pr + i]!, floor)) mask[i] = 0;
    }
    return;
  }
  const pr = test.red * pixels;
  const pg = test.green * pixels;
  const pb = test.blue * pixels;
  for (let i = mask.indexOf(1); i >= 0 && i < pixels; i = mask.indexOf(1, i + 1)) {
    if (exgAtLeast(before[pr + i]!, before[pg + i]!, before[pb + i]!, floor) && exgAtLeast(after[pr + i]!, after[pg + i]!, after[pb + i]!, floor)) mask[i] = 0;
  }
}

function ndviAtLeast(nir: number, red: number, floor: number): boolean {
  const s = nir + red;
  return s !== 0 && Math.fround((nir - red) / s) >= floor; // NaN compares false
}

function exgAtLeast(r: number, g: number, b: number, floor: number): boolean {
  const s = r + g + b;
  return s !== 0 && Math.fround((2 * g - r - b) / s) >= floor;
}
