/**
 * Per-band mean and standard deviation over valid pixels, accumulated tile by tile.
 *
 * Layout: `planar` is band-sequential Float32 (band b at (x, y) is `planar[b*width*height + y*width + x]`);
 * `valid` is Uint8Array(width*height), a pixel counts only when `valid[i] === 1`;
 * `acc` is Float64Array(3*bands) laid out [count0, sum0, sumSq0, count1, sum1, sumSq1, ...].
 * Units: those of the samples (sum in sample units, sumSq in squared units).
 * Nodata/edges: invalid pixels are simply skipped (the caller masks NaN/nodata with
 * andValidMask first); there is no neighbourhood, so no edge handling.
 *
 * Numerics (why this is sound enough with a fixed [count, sum, sumSq] layout):
 * - every float32 sample is exact as a float64, and so is its square (24-bit × 24-bit
 *   significands fit in 53 bits), so each term enters the sums without rounding;
 * - terms are summed per image row into local partials, then the row partials into the
 *   accumulator (blocked summation). The rounding error of a sum then grows with
 *   width + rows instead of with width*height (Higham, "Accuracy and Stability of Numerical
 *   Algorithms", 2nd ed., §4.2), and the order of summation is fixed, so results are
 *   bit-for-bit deterministic for the same tiles in the same order;
 * - finishBandStats computes var = (sumSq − sum·mean) / count, clamped at 0. Its relative
 *   error is about ε·(mean² + var)/var (Chan, Golub & LeVeque 1983, "Algorithms for computing
 *   the sample variance"), i.e. ~1e-10 even for mean/std = 1e3, far below what matters for
 *   z-scoring imagery. A shifted or Welford accumulator would need more than three numbers
 *   per band, which the shared layout does not have.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Per-band statistics as returned by {@link finishBandStats}; each array has length `bands`. */
export interface BandStats {
  mean: Float64Array;
  /** population standard deviation (divides by count, not count − 1) */
  std: Float64Array;
  count: Float64Array;
}

/**
 * Accumulates, per band, count, sum and sum of squares over pixels with valid[i] === 1 into acc
 * (Float64Array(3*bands), layout [count0,sum0,sumsq0,count1,...]); it adds to what acc holds
 * (call once per tile, then finish).
 */
export function accumulateBandStats(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  acc: Float64Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('valid', valid, pixels);
  requireLength('acc', acc, 3 * bands);

  for (let b = 0; b < bands; b++) {
    const plane = b * pixels;
    let count = acc[3 * b];
    let sum = acc[3 * b + 1];
    let sumSq = acc[3 * b + 2];
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let rowCount = 0;
      let rowSum = 0;
      let rowSumSq = 0;
      for (let x = 0; x < width; x++) {
        const i = row + x;
        if (valid[i] === 1) {
          const v = planar[plane + i];
          rowCount++;
          rowSum += v;
          rowSumSq += v * v;
        }
      }
      count += rowCount;
      sum += rowSum;
      sumSq += rowSumSq;
    }
    acc[3 * b] = count;
    acc[3 * b + 1] = sum;
    acc[3 * b + 2] = sumSq;
  }
}

/**
 * mean and population standard deviation per band from an accumulator; count 0 → mean 0, std 0.
 * Small helper, not a pixel loop.
 */
export function finishBandStats(acc: Float64Array, bands: number): BandStats {
  requireIntegerInRange('bands', bands, 1, 0xffff);
  requireLength('acc', acc, 3 * bands);
  const mean = new Float64Array(bands);
  const std = new Float64Array(bands);
  const count = new Float64Array(bands);
  for (let b = 0; b < bands; b++) {
    const n = acc[3 * b];
    count[b] = n;
    if (n <= 0) continue;
    const m = acc[3 * b + 1] / n;
    const variance = (acc[3 * b + 2] - acc[3 * b + 1] * m) / n;
    mean[b] = m;
    std[b] = variance > 0 ? Math.sqrt(variance) : 0;
  }
  return { mean, std, count };
}
