/**
 * How far the after epoch is offset from the before epoch over a region: the shift that best aligns the
 * edges of the two images, by normalised cross-correlation of their gradient magnitudes.
 *
 * Layout: `planar` band-sequential Float32 (`planar[b*width*height + y*width + x]`), `valid` Uint8Array
 * (1 valid); gradient planes Float32Array(width*height), NaN where there is none.
 * Why gradients: epochs differ in radiometry (season, sun, sensor) far more than in geometry; edges (field
 * boundaries, roads, buildings) stay where they are, and the normalised correlation of their magnitudes
 * does not see a gain or offset between the dates (Zitová & Flusser 2003, area-based registration).
 * Edges: the gradient needs both neighbours along each axis, so the image's outer ring has none.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/**
 * Gradient magnitude of the mean of `bands` bands, by central differences, over the window [x0, x0+w) ×
 * [y0, y0+h) of the image (default: all of it): out[i] = √(gx² + gy²) with gx = (m[x+1] − m[x−1])/2,
 * gy = (m[y+1] − m[y−1])/2; NaN on the image's outer ring and where any of the four neighbours is not
 * valid. `mean` and `out` are image-sized; only the window of `out` (and its ring of `mean`) is written.
 */
export function bandMeanGradient(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  mean: Float32Array,
  out: Float32Array,
  x0 = 0,
  y0 = 0,
  w = width,
  h = height,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  requireIntegerInRange('x0', x0, 0, width - 1);
  requireIntegerInRange('y0', y0, 0, height - 1);
  requireIntegerInRange('w', w, 1, width - x0);
  requireIntegerInRange('h', h, 1, height - y0);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  requireLength('mean', mean, pixels);
  requireLength('out', out, pixels);
  // the band sums over the window and its ring, clipped to the image
  const mx0 = Math.max(0, x0 - 1);
  const mx1 = Math.min(width, x0 + w + 1);
  const my0 = Math.max(0, y0 - 1);
  const my1 = Math.min(height, y0 + h + 1);
  for (let y = my0; y < my1; y++) {
    const row = y * width;
    mean.fill(0, row + mx0, row + mx1);
    for (let b = 0; b < bands; b++) {
      const p = b * pixels + row;
      for (let x = mx0; x < mx1; x++) mean[row + x]! += planar[p + x]!;
    }
  }
  for (let y = y0; y < y0 + h; y++) {
    const row = y * width;
    out.fill(Number.NaN, row + x0, row + x0 + w);
    if (y === 0 || y === height - 1) continue;
    for (let x = Math.max(1, x0); x < Math.min(width - 1, x0 + w); x++) {
      const i = row + x;
      if (valid[i - 1] !== 1 || valid[i + 1] !== 1 || valid[i - width] !== 1 || valid[i + width] !== 1) continue;
      const gx = (mean[i + 1]! - mean[i - 1]!) / (2 * bands);
      const gy = (mean[i + width]! - mean[i - width]!) / (2 * bands);
      out[i] = Math.sqrt(gx * gx + gy * gy);
    }
  }
}

/** What bestShift writes into its `out`: the shift, its correlation, the correlation unshifted, and pixels. */
export const SHIFT_DX = 0;
export const SHIFT_DY = 1;
export const SHIFT_PEAK = 2;
export const SHIFT_AT_ZERO = 3;
export const SHIFT_PIXELS = 4;
export const SHIFT_INTEGER = 5;

/**
 * The shift (dx, dy), |dx|, |dy| ≤ radius, that maximises the normalised cross-correlation between
 * `before` over the region [x0, x0+w) × [y0, y0+h) and `after` over the same region moved by (dx, dy) —
 * a feature at (x, y) before stands at (x + dx, y + dy) after — on the pixels where both are finite. The
 * region moved by any shift must lie inside the image. The integer peak is refined to a fraction of a pixel
 * by the quadratic surface through it and its eight neighbours, when they are in the search window.
 * out[SHIFT_DX], out[SHIFT_DY]: the refined shift; out[SHIFT_PEAK]: the correlation at the integer peak;
 * out[SHIFT_AT_ZERO]: at (0, 0); out[SHIFT_PIXELS]: the pixels compared at the peak; out[SHIFT_INTEGER]:
 * 1 when the peak lies inside the search window (resolved), 0 on its edge (the shift may be larger) or
 * when no shift has two textured images to compare (then the others are NaN). `scores`: (2·radius + 1)²
 * values of scratch. Sums in float64, in raster order: the result does not depend on anything but the inputs.
 */
export function bestShift(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  radius: number,
  scores: Float64Array,
  out: Float64Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('radius', radius, 0, 64);
  requireIntegerInRange('x0', x0, radius, width);
  requireIntegerInRange('y0', y0, radius, height);
  requireIntegerInRange('w', w, 1, width - radius - x0);
  requireIntegerInRange('h', h, 1, height - radius - y0);
  requireLength('before', before, width * height);
  requireLength('after', after, width * height);
  const side = 2 * radius + 1;
  requireLength('scores', scores, side * side);
  requireLength('out', out, SHIFT_INTEGER + 1);
  let bestScore = -Infinity;
  let best = -1;
  let bestPixels = 0;
  for (let dy = -radius; dy <= radius; dy++) {
    for (let dx = -radius; dx <= radius; dx++) {
      const k = (dy + radius) * side + dx + radius;
      const [score, pixels] = correlation(before, after, width, x0, y0, w, h, dx, dy);
      scores[k] = score;
      if (score > bestScore) {
        bestScore = score;
        best = k;
        bestPixels = pixels;
      }
    }
  }
  out[SHIFT_AT_ZERO] = scores[radius * side + radius]!;
  if (best < 0) {
    out.fill(Number.NaN, 0, SHIFT_INTEGER);
    out[SHIFT_PIXELS] = 0;
    out[SHIFT_INTEGER] = 0;
    return;
  }
  const ix = (best % side) - radius;
  const iy = Math.floor(best / side) - radius;
  const inside = Math.abs(ix) < radius && Math.abs(iy) < radius;
  const [fx, fy] = inside ? quadraticPeak(scores, best, side) : [0, 0];
  out[SHIFT_DX] = ix + fx;
  out[SHIFT_DY] = iy + fy;
  out[SHIFT_PEAK] = bestScore;
  out[SHIFT_PIXELS] = bestPixels;
  out[SHIFT_INTEGER] = inside ? 1 : 0;
}

/**
 * The fractional position of the maximum of the quadratic surface fitted (least squares) to the 3 × 3
 * scores around `k`: one fit in both axes, as a slice along each axis alone is pulled off the peak when the
 * correlation is elongated along a diagonal (edges at an angle). [0, 0] when the fit has no maximum within
 * a pixel (flat or saddle-shaped scores).
 */
function quadraticPeak(scores: Float64Array, k: number, side: number): [number, number] {
  const s = (x: number, y: number) => scores[k + y * side + x]!;
  let b = 0, c = 0, d = 0, f = 0;
  for (const t of [-1, 0, 1]) {
    b += s(1, t) - s(-1, t);
    c += s(t, 1) - s(t, -1);
    d += s(1, t) - 2 * s(0, t) + s(-1, t);
    f += s(t, 1) - 2 * s(t, 0) + s(t, -1);
  }
  // z = a + b·x + c·y + d·x² + e·x·y + f·y² over x, y ∈ {−1, 0, 1}
  b /= 6;
  c /= 6;
  d /= 6;
  f /= 6;
  const e = (s(1, 1) - s(1, -1) - s(-1, 1) + s(-1, -1)) / 4;
  const det = 4 * d * f - e * e;
  if (!(d < 0 && det > 0)) return [0, 0];
  const x = (e * c - 2 * f * b) / det;
  const y = (e * b - 2 * d * c) / det;
  return Math.abs(x) <= 1 && Math.abs(y) <= 1 ? [x, y] : [0, 0];
}

/** Normalised cross-correlation of the region of `before` with `after` moved by (dx, dy); −∞ when flat or empty. */
function correlation(before: Float32Array, after: Float32Array, width: number, x0: number, y0: number, w: number, h: number, dx: number, dy: number): [number, number] {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let y = y0; y < y0 + h; y++) {
    const row = y * width;
    const moved = (y + dy) * width + dx;
    for (let x = x0; x < x0 + w; x++) {
      const a = before[row + x]!;
      const b = after[moved + x]!;
      if (a !== a || b !== b) continue; // NaN: no gradient there
      n++;
      sa += a;
      sb += b;
      saa += a * a;
      sbb += b * b;
      sab += a * b;
    }
  }
  if (n === 0) return [-Infinity, 0];
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (!(va > 0 && vb > 0)) return [-Infinity, n];
  return [(sab - (sa * sb) / n) / Math.sqrt(va * vb), n];
}
