/**
 * Spectral cloud test, one epoch at a time (multispectral imagery with known reflectance scale only; the
 * caller decides when it applies, see docs/detection.md "Validity"). Cloud shadows are tested against the
 * other epoch (cloud-shadow-pair.ts): darkness alone does not tell them from dark ground.
 *
 * Layout: `planar` is band-sequential Float32 (`planar[b*width*height + y*width + x]`); `valid` is
 * Uint8Array(width*height), 1 valid / 0 invalid, only ever cleared.
 * Units: raw samples; reflectance ρ = sample × scale + offset (0..1), from the manifest.
 * Bands: indices into `planar` of blue, green, red, nir, swir16 (required) and swir22 (−1 if absent).
 *
 * Cloud — the pass-one "potential cloud pixel" tests of Fmask (Zhu & Woodcock 2012), without the
 * thermal ones (not every sensor has a thermal band):
 *   basic:     ρ_swir22 > 0.03 (when present), NDSI < 0.8, NDVI < 0.8
 *   whiteness: Σ_{blue,green,red} |ρ − mean| / mean < 0.7   (clouds are spectrally flat)
 *   HOT:       ρ_blue − 0.5 ρ_red − 0.08 > 0                 (haze-optimised transform, Zhang,
 *              Guindon & Cihlar 2002, with Fmask's fixed clear-sky line)
 *   NIR/SWIR:  ρ_nir / ρ_swir16 > 0.75                       (rejects bright rocks and soils)
 *   bright:    mean visible reflectance > 0.3                (our floor: Fmask separates bright
 *              built surfaces from clouds with its thermal probability, which not every sensor has, and
 *              concrete roofs pass the tests above but stay below 0.3 in the visible)
 * Edges: purely per-pixel. Non-finite samples fail every comparison and leave `valid` unchanged (the
 * validity mask already excludes them).
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Band positions the test needs; swir22 is −1 when the imagery has none. */
export interface CloudBands {
  blue: number;
  green: number;
  red: number;
  nir: number;
  swir16: number;
  swir22: number;
}

export const CLOUD_TESTS = {
  swir22Min: 0.03,
  ndsiMax: 0.8,
  ndviMax: 0.8,
  whitenessMax: 0.7,
  hotOffset: 0.08,
  nirSwirMin: 0.75,
  visibleMin: 0.3,
} as const;

/** Clears `valid` where the pixel is cloud by the tests above. */
export function andClearSkyMask(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  at: CloudBands,
  scale: number,
  offset: number,
  valid: Uint8Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  for (const [name, index] of Object.entries(at)) requireIntegerInRange(`band ${name}`, index, name === 'swir22' ? -1 : 0, bands - 1);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  const t = CLOUD_TESTS;
  const pb = at.blue * pixels, pg = at.green * pixels, pr = at.red * pixels, pn = at.nir * pixels, ps = at.swir16 * pixels;
  const pw = at.swir22 * pixels;
  const hasSwir22 = at.swir22 >= 0;
  for (let i = 0; i < pixels; i++) {
    if (valid[i] === 0) continue;
    const blue = planar[pb + i]! * scale + offset;
    const green = planar[pg + i]! * scale + offset;
    const red = planar[pr + i]! * scale + offset;
    const nir = planar[pn + i]! * scale + offset;
    const swir = planar[ps + i]! * scale + offset;
    const mean = (blue + green + red) / 3;
    if (!(mean > t.visibleMin)) continue;
    if (hasSwir22 && !(planar[pw + i]! * scale + offset > t.swir22Min)) continue;
    if (!((green - swir) / (green + swir) < t.ndsiMax)) continue;
    if (!((nir - red) / (nir + red) < t.ndviMax)) continue;
    const whiteness = (Math.abs(blue - mean) + Math.abs(green - mean) + Math.abs(red - mean)) / mean;
    if (!(whiteness < t.whitenessMax)) continue;
    if (!(blue - 0.5 * red - t.hotOffset > 0)) continue;
    if (!(nir / swir > t.nirSwirMin)) continue;
    valid[i] = 0;
  }
}
