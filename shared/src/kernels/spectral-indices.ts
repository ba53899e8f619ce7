/**
 * Per-pixel spectral indices, used to type a change (what the ground was, what it became).
 *
 * Layout: `planar` is band-sequential Float32 (`planar[b*pixels + i]`); band arguments are band
 * positions in it; `out` is Float32Array(pixels). Only the listed bands are read.
 * Units: raw samples (DN or reflectance). The normalized differences and ratios below are unitless
 * and do not depend on a gain common to the bands; an additive offset (path radiance in DN) shifts
 * them, which is why the typing rules use transitions and wide margins (docs/detection.md, "Typing").
 * Undefined values (zero denominator, non-finite samples) are written as NaN.
 * Edges: purely per-pixel.
 *
 * - normalizedDifference(a, b) = (a − b)/(a + b): NDVI (nir, red; Rouse et al. 1974), NDBI (swir16,
 *   nir; Zha, Gao & Ni 2003), MNDWI (green, swir16; Xu 2006), NDWI (green, nir; McFeeters 1996),
 *   redness (red, blue).
 * - bareSoilIndex = ((swir16 + red) − (nir + blue)) / ((swir16 + red) + (nir + blue)) (BSI, Rikimaru,
 *   Roy & Miyatake 2002).
 * - excessGreen = (2g − r − b)/(r + g + b), ExG on chromatic coordinates (Woebbecke et al. 1995): the
 *   greenness cue of RGB-only imagery.
 * - chroma = (max − min)/max over red, green, blue (HSV saturation): grey surfaces (concrete,
 *   asphalt, roofs) are low, soil and vegetation high.
 * - zBrightness = mean over the given bands of (x − mean_b)/std_b, with the pair's band statistics:
 *   brightness in standard deviations, so a global gain or offset between the dates cancels.
 */

import { requireIntegerInRange, requireLength } from './argument-checks.js';

function check(planar: Float32Array, pixels: number, bandsUsed: readonly number[], out: Float32Array): void {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  for (const b of bandsUsed) requireIntegerInRange('band', b, 0, 0xffff);
  requireLength('planar', planar, (Math.max(...bandsUsed) + 1) * pixels);
  requireLength('out', out, pixels);
}

export function normalizedDifference(planar: Float32Array, pixels: number, a: number, b: number, out: Float32Array): void {
  check(planar, pixels, [a, b], out);
  const pa = a * pixels, pb = b * pixels;
  for (let i = 0; i < pixels; i++) {
    const x = planar[pa + i]!, y = planar[pb + i]!;
    const s = x + y;
    out[i] = s !== 0 ? (x - y) / s : NaN;
  }
}

export function bareSoilIndex(planar: Float32Array, pixels: number, swir: number, red: number, nir: number, blue: number, out: Float32Array): void {
  check(planar, pixels, [swir, red, nir, blue], out);
  const ps = swir * pixels, pr = red * pixels, pn = nir * pixels, pb = blue * pixels;
  for (let i = 0; i < pixels; i++) {
    const up = planar[ps + i]! + planar[pr + i]!;
    const down = planar[pn + i]! + planar[pb + i]!;
    const s = up + down;
    out[i] = s !== 0 ? (up - down) / s : NaN;
  }
}

export function excessGreen(planar: Float32Array, pixels: number, red: number, green: number, blue: number, out: Float32Array): void {
  check(planar, pixels, [red, green, blue], out);
  const pr = red * pixels, pg = green * pixels, pb = blue * pixels;
  for (let i = 0; i < pixels; i++) {
    const r = planar[pr + i]!, g = planar[pg + i]!, b = planar[pb + i]!;
    const s = r + g + b;
    out[i] = s !== 0 ? (2 * g - r - b) / s : NaN;
  }
}

export function chroma(planar: Float32Array, pixels: number, red: number, green: number, blue: number, out: Float32Array): void {
  check(planar, pixels, [red, green, blue], out);
  const pr = red * pixels, pg = green * pixels, pb = blue * pixels;
  for (let i = 0; i < pixels; i++) {
    const r = planar[pr + i]!, g = planar[pg + i]!, b = planar[pb + i]!;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    const sum = r + g + b; // non-finite when any sample is: the comparisons above would hide it
    out[i] = sum - sum === 0 && max > 0 ? (max - min) / max : NaN;
  }
}

export function zBrightness(planar: Float32Array, pixels: number, bands: readonly number[], mean: readonly number[], std: readonly number[], out: Float32Array): void {
  check(planar, pixels, bands, out);
  if (mean.length < bands.length || std.length < bands.length) throw new RangeError('zBrightness needs a mean and a std per band');
  out.fill(0, 0, pixels);
  for (let k = 0; k < bands.length; k++) {
    const p = bands[k]! * pixels;
    const m = mean[k]!;
    const inv = std[k]! > 0 ? 1 / (std[k]! * bands.length) : 0;
    for (let i = 0; i < pixels; i++) out[i] = out[i]! + (planar[p + i]! - m) * inv;
  }
}
