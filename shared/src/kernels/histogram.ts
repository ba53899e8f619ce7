/**
 * Fixed-range histogram of a score raster, accumulated tile by tile (input to Otsu).
 *
 * Layout: `values` is a flat Float32Array (any raster read row-major; only the first `length`
 * entries are read), `valid` is Uint8Array of at least `length` entries (a value counts only when
 * `valid[i] === 1`), `hist` is Float64Array of `bins = hist.length` counts. Float64 counts stay
 * exact far beyond 2^32 pixels and add directly into Otsu's float64 sums.
 * Units: bins are equal-width over [min, max) in the units of `values`.
 * Nodata/edges: invalid pixels and NaN are skipped; values below min (and −Infinity) go to bin 0,
 * values >= max (and +Infinity) to the last bin, so every valid finite-or-infinite value is
 * counted exactly once and the histogram's total equals the number of valid non-NaN values.
 * The bin index is computed with the documented formula, floor((v − min) / (max − min) · bins),
 * and clamped to the last bin against rounding just below max.
 */

import { requireLength } from './argument-checks.js';

/**
 * Adds valid values (valid[i]===1) to hist (Float64Array of `bins = hist.length` counts) over
 * [min, max): bin = floor((v - min) / (max - min) * bins); values below min go to bin 0, values
 * >= max to the last bin; NaN skipped. length = number of values to read.
 */
export function accumulateHistogram(
  values: Float32Array,
  valid: Uint8Array,
  length: number,
  min: number,
  max: number,
  hist: Float64Array,
): void {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`length must be a non-negative integer, got ${length}`);
  }
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new RangeError(`histogram range must be finite with min < max, got [${min}, ${max})`);
  }
  requireLength('hist', hist, 1);
  requireLength('values', values, length);
  requireLength('valid', valid, length);

  const bins = hist.length;
  const lastBin = bins - 1;
  const range = max - min;
  for (let i = 0; i < length; i++) {
    if (valid[i] !== 1) continue;
    const v = values[i];
    let bin: number;
    if (v < min) {
      bin = 0;
    } else if (v >= max) {
      bin = lastBin;
    } else if (v === v) {
      // in [0, bins): truncation is the floor, and much cheaper than Math.floor on some x86 hosts
      bin = (((v - min) / range) * bins) | 0;
      if (bin > lastBin) bin = lastBin;
    } else {
      continue; // NaN: fails both comparisons above
    }
    hist[bin]++;
  }
}

/**
 * Value below which a fraction q of the histogram's mass lies (0 ≤ q ≤ 1), interpolating linearly
 * inside the bin, for a histogram over [min, max) built by accumulateHistogram. Empty → min.
 */
export function histogramQuantile(hist: Float64Array, min: number, max: number, q: number): number {
  let total = 0;
  for (let k = 0; k < hist.length; k++) total += hist[k]!;
  if (total === 0) return min;
  const target = q * total;
  const width = (max - min) / hist.length;
  let cumulative = 0;
  for (let k = 0; k < hist.length; k++) {
    const count = hist[k]!;
    if (count > 0 && cumulative + count >= target) return min + (k + (target - cumulative) / count) * width;
    cumulative += count;
  }
  return max;
}
