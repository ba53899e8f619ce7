/**
 * IR-MAD change score per pixel (Nielsen 2007, "The regularized iteratively reweighted MAD method
 * for change detection in multi- and hyperspectral data", IEEE TIP 16(2):463–478).
 *
 * Layout: `before` and `after` are band-sequential Float32 (band b at (x, y) is
 * `planar[b*width*height + y*width + x]`); `valid` is Uint8Array(width*height); `out` is
 * Float32Array(width*height). `a` and `b` are the canonical vectors, row-major bands×bands
 * (variate k of an epoch is Σ_j a[k*bands+j]·(x_j − meanBefore_j)); `inverseVariance[k]` is
 * 1 / var(MAD_k) under no change. `scratch` is Float64Array(2*bands).
 * Units: out[i] = sqrt(Z / bands) where Z = Σ_k MAD_k² / var(MAD_k) is chi-square distributed with
 * `bands` degrees of freedom for unchanged pixels; dividing by bands keeps the scale comparable
 * across sensors. Invalid pixels → 0. No neighbourhood, no edge handling.
 *
 * Why: the MAD variates are differences of maximally correlated linear combinations of the two
 * epochs, so gains, offsets and band-mixing between dates and sensors cancel, and what remains is
 * change. It complements the z-scored change vector, which sees every band equally.
 *
 * Arithmetic: float32, every operation rounded to float32 (Math.fround after each one), constants
 * rounded once, sums in the order written; the SIMD change pass (change-pass-simd.ts) does the same
 * operations in float32 lanes and gets the same bytes.
 */

import { requireEpochPair, requireLength } from './argument-checks.js';

export function madChiScore(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  meanBefore: Float64Array,
  meanAfter: Float64Array,
  a: Float64Array,
  b: Float64Array,
  inverseVariance: Float64Array,
  scratch: Float64Array,
  out: Float32Array,
): void {
  const n = requireEpochPair(before, after, valid, width, height, bands, 64);
  requireLength('out', out, n);
  requireLength('a', a, bands * bands);
  requireLength('b', b, bands * bands);
  requireLength('inverseVariance', inverseVariance, bands);
  requireLength('scratch', scratch, 2 * bands);
  const fr = Math.fround;
  // The constants as float32, once (the only allocation; outside the pixel loop).
  const f32 = (values: Float64Array, length: number) => Float32Array.from(values.subarray(0, length));
  const mb = f32(meanBefore, bands);
  const ma = f32(meanAfter, bands);
  const af = f32(a, bands * bands);
  const bf = f32(b, bands * bands);
  const iv = f32(inverseVariance, bands);
  const invBands = fr(1 / bands);
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    // Centre the pixel's two spectra once (scratch[0..bands) before, [bands..2bands) after).
    for (let j = 0; j < bands; j++) {
      scratch[j] = fr(before[j * n + i]! - mb[j]!);
      scratch[bands + j] = fr(after[j * n + i]! - ma[j]!);
    }
    let z = 0;
    for (let k = 0; k < bands; k++) {
      const row = k * bands;
      let mad = 0;
      for (let j = 0; j < bands; j++) mad = fr(mad + fr(fr(af[row + j]! * scratch[j]!) - fr(bf[row + j]! * scratch[bands + j]!)));
      z = fr(z + fr(fr(mad * mad) * iv[k]!));
    }
    // the square root of a float32 value, rounded to float32 (by the store), is its float32 square root
    out[i] = Math.sqrt(fr(z * invBands));
  }
}
