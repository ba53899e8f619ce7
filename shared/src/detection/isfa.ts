/**
 * Iterated slow feature analysis (ISFA; Wu, Du & Zhang 2014) of a before/after sample, in the form the
 * change pass uses: a linear map of the z-scored difference under which unchanged pixels are white.
 *
 * SFA looks for projections w of the z-scored difference d = z_before − z_after with the smallest
 * variance (the "slowest" features: what does not change between the dates), solving the generalized
 * eigenproblem A w = λ B w with A the second moment of d. Its change statistic, the sum over every
 * feature of its square divided by its variance, does not depend on B: it equals dᵀ A⁻¹ d, the
 * Mahalanobis length of d under A. So with every feature kept ISFA reduces to
 *   1. A = Σ_k w_k d_k d_kᵀ / Σ_k w_k (uncentred: an offset that unchanged pixels share, such as haze,
 *      is part of what "no change" looks like), weights all 1 at first;
 *   2. A = L Lᵀ (Cholesky), Z_k = |L⁻¹ d_k|², approximately χ²_B for unchanged pixels;
 *   3. new weights w_k = P(χ²_B > Z_k), the no-change probability (as in IR-MAD, Nielsen 2007);
 * repeated until A moves by less than `tolerance` (relative to its diagonal) or `maxIterations` fits.
 * Z is then Σ_i (Σ_{j≤i} T_ij d_j)² with T = L⁻¹ (lower triangular) and
 * d_j = (x_j − m_x,j)/s_x,j − (y_j − m_y,j)/s_y,j, the z-scored difference the change vector is made of.
 * So the fit is returned as T itself (`whiten`): the change pass applies it to the change vector it
 * already computes (`whitenedChiScore`), B(B+1)/2 products a pixel. (The sign of d does not matter: Z is
 * a sum of squares.)
 *
 * Why it replaced IR-MAD's canonical correlations in detector 3: on the labelled pairs it separates change
 * better (docs/detection.md, "Second round of trials"), and it needs no eigenproblem.
 *
 * Layout: `before`/`after` pixel-interleaved samples (band j of sample k at [k*bands + j]); samples with
 * a non-finite value take no part. Deterministic: sums run in sample order in fixed blocks.
 */

import { cholesky, NotPositiveDefiniteError } from './irmad/linear-algebra.js';
import { chiSquareSurvivalFor } from './irmad/chi-square.js';
import { momentStep, reweightStep } from './isfa-steps.js';

export interface IsfaResult {
  bands: number;
  /**
   * T = L⁻¹, row-major bands×bands, lower triangular (zeros above the diagonal): feature i of a pixel is
   * Σ_{j≤i} T[i*p+j]·d_j on its z-scored difference d, and each feature has unit variance under no change.
   */
  whiten: number[];
  iterations: number;
  converged: boolean;
  samples: number;
}

export interface IsfaOptions {
  /** Most fits of A (the first is unweighted). Default 30. */
  maxIterations?: number;
  /** Stop when max |ΔA_ij| / sqrt(A_ii A_jj) < tolerance between consecutive fits. Default 1e-4. */
  tolerance?: number;
}

/** Samples per accumulation block (fixed: part of the summation order). */
const BLOCK = 256;

/**
 * ISFA fit. `meanBefore/stdBefore/meanAfter/stdAfter` are the pair's band statistics (the z-scoring of
 * the change vector); a band with std 0 contributes nothing.
 */
export function isfa(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  bands: number,
  samples: number,
  stats: { meanBefore: ArrayLike<number>; stdBefore: ArrayLike<number>; meanAfter: ArrayLike<number>; stdAfter: ArrayLike<number> },
  options: IsfaOptions = {},
): IsfaResult {
  const p = bands;
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`isfa: bands must be a positive integer, got ${bands}`);
  if (before.length < samples * p || after.length < samples * p) throw new RangeError(`isfa: ${samples} samples of ${p} bands need ${samples * p} values`);
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-4;
  const invB = Float64Array.from({ length: p }, (_, j) => (stats.stdBefore[j]! > 0 ? 1 / stats.stdBefore[j]! : 0));
  const invA = Float64Array.from({ length: p }, (_, j) => (stats.stdAfter[j]! > 0 ? 1 / stats.stdAfter[j]! : 0));
  // z-scored differences, once (samples with a non-finite value get weight 0 for good)
  const d = new Float64Array(samples * p);
  const weight = new Float64Array(samples);
  const usable = new Uint8Array(samples);
  for (let k = 0; k < samples; k++) {
    let finite = true;
    for (let j = 0; j < p; j++) {
      const v = (before[k * p + j]! - stats.meanBefore[j]!) * invB[j]! - (after[k * p + j]! - stats.meanAfter[j]!) * invA[j]!;
      d[k * p + j] = v;
      if (!Number.isFinite(v)) finite = false;
    }
    weight[k] = finite ? 1 : 0;
    usable[k] = finite ? 1 : 0;
  }
  const survival = chiSquareSurvivalFor(p);
  const A = new Float64Array(p * p);
  const previous = new Float64Array(p * p);
  const block = new Float64Array(p * p);
  const L = new Float64Array(p * p);
  const moment = momentStep(p);
  const reweight = reweightStep(p);
  let iterations = 0;
  let converged = false;
  for (;;) {
    // 1. weighted second moment of d
    A.fill(0);
    let sw = 0;
    for (let start = 0; start < samples; start += BLOCK) {
      sw += moment(d, weight, start, Math.min(samples, start + BLOCK), block);
      for (let i = 0; i < p * p; i++) A[i] = A[i]! + block[i]!;
    }
    iterations++;
    if (!(sw > 1e-250)) {
      // nothing fits (every weight underflowed): keep the previous fit
      if (iterations === 1) A.fill(0);
      else A.set(previous);
      iterations--;
      break;
    }
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) A[i * p + j] = A[i * p + j]! / sw;
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) A[i * p + j] = A[j * p + i]!;
    if (iterations > 1) {
      let change = 0;
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          const scale = Math.sqrt(A[i * p + i]! * A[j * p + j]!);
          if (scale > 0) change = Math.max(change, Math.abs(A[i * p + j]! - previous[i * p + j]!) / scale);
        }
      }
      if (change < tolerance) {
        converged = true;
        break;
      }
    }
    if (iterations >= maxIterations) break;
    previous.set(A);
    // 2.–3. Z under this fit, and the no-change weights
    factor(A, p, L);
    reweight(d, weight, usable, samples, L, survival);
  }
  factor(A, p, L);
  // T = L⁻¹ (lower triangular), by forward substitution on the unit vectors
  const T = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < p; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i * p + k]! * T[k * p + c]!;
      T[i * p + c] = s / L[i * p + i]!;
    }
  }
  return { bands: p, whiten: Array.from(T), iterations, converged, samples };
}

/**
 * Cholesky factor of A with a ridge on the diagonal: 1e-10 of the mean diagonal (a scale-free floor that
 * makes exactly collinear differences definite) plus 1e-300 (an all-zero A); raised a hundredfold until
 * the factorisation succeeds (deterministic).
 */
function factor(A: Float64Array, p: number, L: Float64Array): void {
  let trace = 0;
  for (let i = 0; i < p; i++) trace += A[i * p + i]!;
  const ridged = new Float64Array(A);
  for (let relative = 1e-10; ; relative *= 100) {
    const ridge = (relative * trace) / p + 1e-300;
    for (let i = 0; i < p; i++) ridged[i * p + i] = A[i * p + i]! + ridge;
    try {
      cholesky(ridged, p, L);
      return;
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError) || relative > 1) throw error;
    }
  }
}
