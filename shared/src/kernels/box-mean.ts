/**
 * Mean of a score over the valid pixels of a (2·radius+1)² square, in O(1) per pixel whatever the
 * radius (running column sums slid down the rows, then a running sum along each row: the separable
 * form of a summed-area table, Crow 1984, in O(width) memory). Layout: `src`, `out` Float32Array(width*height), `valid`
 * Uint8Array(width*height); `src` and `out` must not alias.
 * out[i] = mean of src over the valid pixels of the square around i that lie inside the array;
 * invalid centres → 0. Edges: pixels outside the array are left out of the mean, so a caller that
 * wants tile-independent results reads a `radius`-pixel halo around its window.
 *
 * Exactness: each value is first rounded to a multiple of 2^-16 (values beyond ±2^20 are clamped;
 * change scores are far below). The sums are then integers below 2^53 (at most 129² terms of at
 * most 2^36), so float64 adds and subtracts them exactly, in any order: the result does not depend on where the
 * array starts (a window and the whole scene agree bit for bit) nor on the summation order.
 */

import { requireDimensions, requireIntegerInRange, requireLength, requireNoOverlap } from './argument-checks.js';

/** Largest radius the exactness argument covers: (2·64+1)² · 2^36 < 2^53. */
export const BOX_MEAN_MAX_RADIUS = 64;
const SCALE = 65536;
const LIMIT = 2 ** 20 * SCALE;

/** The fixed-point value the sums use (exposed for the reference test). */
export function boxMeanQuantum(v: number): number {
  const q = Math.round(v * SCALE);
  return q > LIMIT ? LIMIT : q < -LIMIT ? -LIMIT : q;
}

export function boxMeanValid(src: Float32Array, valid: Uint8Array, width: number, height: number, radius: number, out: Float32Array): void {
  boxMeanMin(src, valid, width, height, radius, radius, out);
}

/**
 * The smaller of the valid means over two squares around each pixel, radii `near` and `wide`, from
 * one pass over the rows: out[i] = min(mean_near(i), mean_wide(i)). With near = wide it is
 * boxMeanValid. A caller that wants tile-independent results reads a max(near, wide)-pixel halo.
 */
export function boxMeanMin(src: Float32Array, valid: Uint8Array, width: number, height: number, near: number, wide: number, out: Float32Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('near', near, 0, BOX_MEAN_MAX_RADIUS);
  requireIntegerInRange('wide', wide, 0, BOX_MEAN_MAX_RADIUS);
  const n = width * height;
  requireLength('src', src, n);
  requireLength('valid', valid, n);
  requireLength('out', out, n);
  requireNoOverlap('src', src, 'out', out);
  const nearSum = new Float64Array(width);
  const nearCount = new Float64Array(width);
  const wideSum = new Float64Array(width);
  const wideCount = new Float64Array(width);
  const nearRow = new Float64Array(width);
  const wideRow = new Float64Array(width);
  // Column sums over rows [y−r, y+r] ∩ [0, height), slid down one row at a time.
  for (let y = 0; y <= near && y < height; y++) addRow(src, valid, width, y, 1, nearSum, nearCount);
  for (let y = 0; y <= wide && y < height; y++) addRow(src, valid, width, y, 1, wideSum, wideCount);
  for (let y = 0; y < height; y++) {
    if (y > 0) {
      if (y + near < height) addRow(src, valid, width, y + near, 1, nearSum, nearCount);
      if (y - near - 1 >= 0) addRow(src, valid, width, y - near - 1, -1, nearSum, nearCount);
      if (y + wide < height) addRow(src, valid, width, y + wide, 1, wideSum, wideCount);
      if (y - wide - 1 >= 0) addRow(src, valid, width, y - wide - 1, -1, wideSum, wideCount);
    }
    slideRow(nearSum, nearCount, width, near, nearRow);
    if (wide !== near) slideRow(wideSum, wideCount, width, wide, wideRow);
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (valid[i] !== 1) {
        out[i] = 0;
        continue;
      }
      const a = nearRow[x]!;
      out[i] = wide === near ? a : Math.min(a, wideRow[x]!);
    }
  }
}

/** Adds (sign 1) or removes (sign −1) row y's quantised valid values and counts to the column sums. */
function addRow(src: Float32Array, valid: Uint8Array, width: number, y: number, sign: number, sum: Float64Array, count: Float64Array): void {
  const row = y * width;
  for (let x = 0; x < width; x++) {
    if (valid[row + x] !== 1) continue;
    const v = src[row + x]!;
    // NaN is never valid change evidence; it counts as 0.
    sum[x] += sign * (v === v ? boxMeanQuantum(v) : 0);
    count[x] += sign;
  }
}

/** out[x] = mean over columns [x−r, x+r] ∩ [0, width) of the column sums (float32-rounded). */
function slideRow(sum: Float64Array, count: Float64Array, width: number, r: number, out: Float64Array): void {
  let s = 0;
  let c = 0;
  for (let x = 0; x <= r && x < width; x++) {
    s += sum[x]!;
    c += count[x]!;
  }
  for (let x = 0; x < width; x++) {
    if (x > 0) {
      if (x + r < width) {
        s += sum[x + r]!;
        c += count[x + r]!;
      }
      if (x - r - 1 >= 0) {
        s -= sum[x - r - 1]!;
        c -= count[x - r - 1]!;
      }
    }
    out[x] = c > 0 ? Math.fround(s / c / SCALE) : 0;
  }
}
