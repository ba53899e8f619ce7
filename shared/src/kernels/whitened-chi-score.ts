/**
 * ISFA change score per pixel: the length of the z-scored change vector under a whitening map fitted on
 * the pair's unchanged pixels (Wu, Du & Zhang 2014, "Slow Feature Analysis for Change Detection in
 * Multispectral Imagery", IEEE TGRS 52(5); detection/isfa.ts fits the map).
 *
 * Layout: `before` and `after` are band-sequential Float32 (band b at (x, y) is
 * `planar[b*width*height + y*width + x]`); `valid` is Uint8Array(width*height); `out` is
 * Float32Array(width*height). `whiten` is T, row-major bands×bands, lower triangular: entries above the
 * diagonal are not read.
 * Units: with d_j = (after_j − afterMean_j)/afterStd_j − (before_j − beforeMean_j)/beforeStd_j (the
 * change vector of changeVectorMagnitude, same z-scoring and the same rule for a std of 0) and
 * f_k = Σ_{j≤k} T_kj·d_j, out[i] = sqrt(Z / bands) with Z = Σ_k f_k²: χ² distributed with `bands`
 * degrees of freedom for unchanged pixels (T whitens them); dividing by bands keeps the scale comparable
 * across sensors. Invalid pixels → 0. No neighbourhood, no edge handling.
 *
 * Why this form: ISFA's statistic is dᵀA⁻¹d with A = L·Lᵀ the (weighted) second moment of d, so it is
 * |L⁻¹d|², and L⁻¹ is lower triangular: B(B+1)/2 products a pixel on the change vector the pass computes
 * anyway, where the general two-epoch form (madChiScore: MAD_k = Σ_j a_kj·u_j − b_kj·w_j) takes 2·B².
 *
 * Arithmetic: float32, every operation rounded to float32 (Math.fround after each one), constants rounded
 * once, sums in the order written (f_k from j = 0, Z from k = 0, each starting at its first term); the
 * change pass (fuse-scores.ts, change-pass-rows.ts, change-pass-simd.ts) does the same operations and
 * gets the same bytes.
 */

import { requireBandVectors, requireEpochPair, requireLength } from './argument-checks.js';
import { inverseStd } from './change-vector.js';

export function whitenedChiScore(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  beforeMean: Float64Array,
  beforeStd: Float64Array,
  afterMean: Float64Array,
  afterStd: Float64Array,
  whiten: Float64Array,
  scratch: Float32Array,
  out: Float32Array,
): void {
  const n = requireEpochPair(before, after, valid, width, height, bands, 64);
  requireBandVectors(bands, { beforeMean, beforeStd, afterMean, afterStd });
  requireLength('whiten', whiten, bands * bands);
  requireLength('scratch', scratch, bands);
  requireLength('out', out, n);
  const fr = Math.fround;
  // The constants as float32, once (the only allocations; outside the pixel loop).
  const bm = Float32Array.from(beforeMean.subarray(0, bands));
  const am = Float32Array.from(afterMean.subarray(0, bands));
  const bs = Float32Array.from(beforeStd.subarray(0, bands), inverseStd);
  const as = Float32Array.from(afterStd.subarray(0, bands), inverseStd);
  const t = Float32Array.from(whiten.subarray(0, bands * bands));
  const invBands = fr(1 / bands);
  const d = scratch;
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    for (let j = 0; j < bands; j++) d[j] = fr(fr(fr(after[j * n + i]! - am[j]!) * as[j]!) - fr(fr(before[j * n + i]! - bm[j]!) * bs[j]!));
    let z = 0;
    for (let k = 0; k < bands; k++) {
      const row = k * bands;
      let f = fr(t[row]! * d[0]!);
      for (let j = 1; j <= k; j++) f = fr(f + fr(t[row + j]! * d[j]!));
      const square = fr(f * f);
      z = k === 0 ? square : fr(z + square);
    }
    // the square root of a float32 value, rounded to float32 (by the store), is its float32 square root
    out[i] = Math.sqrt(fr(z * invBands));
  }
}
