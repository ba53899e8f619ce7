/**
 * IR-MAD: iteratively reweighted multivariate alteration detection.
 *
 * References:
 *  - A. A. Nielsen, "The regularized iteratively reweighted MAD method for change detection in
 *    multi- and hyperspectral data", IEEE Trans. Image Processing 16(2):463–478, 2007.
 *  - M. J. Canty & A. A. Nielsen, "Automatic radiometric normalization of multitemporal
 *    satellite imagery with the iteratively re-weighted MAD transformation", Remote Sensing of
 *    Environment 112(3):1025–1036, 2008 (use of the no-change probabilities as weights / for
 *    selecting invariant pixels).
 *
 * Layout: `before` and `after` are pixel-interleaved samples of co-located pixels: band j of
 * sample k is at [k*bands + j]. Both images have the same number of bands p.
 *
 * Algorithm (Nielsen 2007). With weights w_k (all 1 in the first iteration):
 *  1. weighted means m_x, m_y and weighted covariances Σ = Σ_k w_k (z_k − m)(z_k − m)ᵀ / Σ_k w_k
 *     of the stacked vector z = (x, y) (normalised by Σw, not Σw − 1);
 *  2. canonical correlation analysis: Σxy Σyy⁻¹ Σyx a = ρ² Σxx a (generalized symmetric-definite
 *     eigenproblem, solved as C = Gᵀ G with G = L_y⁻¹ Σyx, Σyy = L_y L_yᵀ, so C is exactly
 *     symmetric positive semidefinite), aᵀ Σxx a = 1, b ∝ Σyy⁻¹ Σyx a with bᵀ Σyy b = 1, so
 *     corr(U_i, V_i) = ρ_i ≥ 0. Variates are ordered by ascending ρ (MAD 1 = least correlated);
 *  3. MAD variates MAD_i = U_i − V_i = a_iᵀ(x − m_x) − b_iᵀ(y − m_y), whose no-change variance is
 *     var(U_i) + var(V_i) − 2 cov(U_i, V_i) = 2(1 − ρ_i), and the chi-square statistic
 *     Z = Σ_i MAD_i² / σ_i² (the MAD variates are mutually uncorrelated), approximately χ²_p for
 *     no-change pixels;
 *  4. new weight w_k = P(χ²_p > Z_k), the no-change probability.
 * Repeat until max_i |ρ_i − ρ_i^prev| < tolerance or maxIterations CCAs have been solved.
 *
 * Note on calibration: because the weights also shrink the tail of the no-change population,
 * the converged σ_i² underestimate the no-change MAD variances, so Z of unchanged pixels is
 * stochastically larger than χ²_p (on the 4-band synthetic scene of the tests: mean ≈ 12 instead
 * of 4, versus 4.0 when the covariances are taken over the true no-change pixels). Thresholds
 * on Z should therefore be calibrated rather than read from χ²_p quantiles.
 *
 * Regularisation (for degenerate input only; Nielsen 2007 also regularises the CCA, with a
 * penalty on differences between the coefficients of neighbouring bands, aimed at hyperspectral
 * data, which is not done here): before every CCA, each diagonal element of Σxx and of Σyy gets
 * a ridge
 *     δ_j = 1e-10·Σ_jj + 1e-12·tr(Σ)/p + 1e-24·m_j² + 1e-300
 * (Σ = Σxx or Σyy, m = that image's weighted mean). The first term is scale-invariant (a ridge
 * on the correlation matrix) and makes exactly collinear bands positive definite; the second
 * gives a constant (zero-variance) band a variance ~1e-12 of the average band, so it takes no
 * part in the CCA and its rounding noise is not amplified; the third covers rounding noise of
 * the centring (x − m ≈ 1e-16·m) when every band is constant; the last keeps an all-zero
 * image positive definite. Effects on real data are ≲ 1e-10 relative. "Unit variance" of the
 * variates is with respect to the ridged covariances. Should a Cholesky factorisation still
 * fail, the relative terms are multiplied by 100 and the CCA is retried (deterministically).
 * If ρ_i² < 1e-24 (so Σyy⁻¹ Σyx a_i ≈ 0 and has no direction), b_i is instead taken from the
 * y-side problem Σyx Σxx⁻¹ Σxy b = ρ² Σyy b (same index), signed so aᵢᵀ Σxy bᵢ ≥ 0.
 * The MAD variance 2(1 − ρ_i) is floored at {@link MAD_VARIANCE_FLOOR}.
 *
 * Samples with a non-finite value in either image are ignored (weight 0). If every weight
 * underflows (Σ w < 1e-250 — only possible when the model fits nothing), iteration stops and
 * the previous CCA is returned with converged = false.
 *
 * Determinism and performance: samples are processed in fixed blocks of {@link BLOCK} in index
 * order; within a block every sum runs in a fixed order and block sums are added to the totals
 * in block order, so results are bit-identical run to run. Data are centred on the unweighted
 * mean (computed once) before forming cross products, and the weighted covariance is
 * Σ_k w_k c_k c_kᵀ / Σw − e eᵀ with c = z − shift, e = Σ w c / Σw. Each iteration is one pass:
 * the previous CCA's Z and weights are computed and the new moments accumulated in the same
 * block, O(count·p²) with all buffers allocated once.
 */

import { chiSquareSurvivalFor } from './chi-square.js';
import { NotPositiveDefiniteError, cholesky, generalizedEigen, solveLower, solveLowerTranspose } from './linear-algebra.js';

export interface IrMadResult {
  bands: number; // p
  meanBefore: number[]; // weighted means used (length p)
  meanAfter: number[];
  /** Canonical vectors, row-major p×p: variate i of the before image is Σ_j a[i*p+j]·(x_j − meanBefore_j); likewise b for after. Ordered by ascending canonical correlation (MAD 1 = least correlated). Normalised so each variate has unit weighted variance; sign chosen so corr(U_i, V_i) ≥ 0. */
  a: number[];
  b: number[];
  rho: number[]; // canonical correlations, ascending
  /** Variance of MAD_i = U_i − V_i under no change: 2(1 − rho_i), floored at a small positive value. */
  madVariance: number[];
  iterations: number;
  converged: boolean;
  samples: number;
}

export interface IrMadOptions {
  /** Maximum number of CCAs solved (the first is the unweighted MAD). Default 30. With 1 the result is plain MAD and `converged` is false. */
  maxIterations?: number;
  /** Stop when max_i |Δρ_i| < tolerance between consecutive CCAs. Default 1e-4; 0 runs all maxIterations. */
  tolerance?: number;
}

/** Floor on the no-change MAD variance 2(1 − ρ). */
export const MAD_VARIANCE_FLOOR = 1e-12;
/** Samples per accumulation block (fixed: part of the summation order). */
export const BLOCK = 256;

const RIDGE_RELATIVE = 1e-10;
const RIDGE_TRACE = 1e-12;
const RIDGE_MEAN = 1e-24;
const RIDGE_ABSOLUTE = 1e-300;
const RHO2_NO_DIRECTION = 1e-24;
const WEIGHT_COLLAPSE = 1e-250;

/** Weighted first and second moments of the stacked vector (x, y), centred on `shift`. */
interface Moments {
  /** Σ w. */
  sw: number;
  /** Σ w c_j, length q = 2p. */
  sc: Float64Array;
  /** Σ w c_j c_l, upper triangle (j ≤ l) of a row-major q×q. */
  scc: Float64Array;
}

/** Everything the data pass needs from one CCA: D = [A | −B] (p×2p), offsets, 1/σ². */
interface PassModel {
  d: Float64Array;
  offset: Float64Array;
  invVar: Float64Array;
}

interface Cca {
  meanX: Float64Array;
  meanY: Float64Array;
  a: Float64Array; // row-major p×p, row i = variate i
  b: Float64Array;
  rho: Float64Array;
  madVariance: Float64Array;
}

/** IR-MAD on a sample of co-located pixels (see the module comment for the method). */
export function irMad(
  before: Float64Array,
  after: Float64Array,
  bands: number,
  count: number,
  options: IrMadOptions = {},
): IrMadResult {
  const p = bands;
  if (!Number.isInteger(p) || p < 1 || p > 64) throw new RangeError(`irMad: bands must be an integer in 1–64, got ${bands}`);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`irMad: count must be a non-negative integer, got ${count}`);
  if (count === 0) throw new Error('irMad: no samples (count is 0)');
  if (before.length < count * p || after.length < count * p) {
    throw new RangeError(`irMad: need ${count * p} values per image for ${count} samples × ${p} bands, got ${before.length} and ${after.length}`);
  }
  const maxIterations = options.maxIterations ?? 30;
  const tolerance = options.tolerance ?? 1e-4;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`irMad: maxIterations must be an integer ≥ 1, got ${maxIterations}`);
  if (!(tolerance >= 0)) throw new RangeError(`irMad: tolerance must be ≥ 0, got ${tolerance}`);

  const q = 2 * p;
  const shift = unweightedMean(before, after, p, count);
  const pass = new DataPass(before, after, p, count, shift);
  const moments: Moments = { sw: 0, sc: new Float64Array(q), scc: new Float64Array(q * q) };

  pass.run(null, moments);
  let cca = solveCca(moments, shift, p);
  let iterations = 1;
  let converged = false;
  const model: PassModel = { d: new Float64Array(p * q), offset: new Float64Array(p), invVar: new Float64Array(p) };

  while (iterations < maxIterations) {
    fillPassModel(cca, shift, p, model);
    pass.run(model, moments);
    if (!(moments.sw >= WEIGHT_COLLAPSE) || !Number.isFinite(moments.sw)) break;
    const next = solveCca(moments, shift, p);
    iterations++;
    let delta = 0;
    for (let i = 0; i < p; i++) delta = Math.max(delta, Math.abs(next.rho[i] - cca.rho[i]));
    cca = next;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }

  return {
    bands: p,
    meanBefore: Array.from(cca.meanX),
    meanAfter: Array.from(cca.meanY),
    a: Array.from(cca.a),
    b: Array.from(cca.b),
    rho: Array.from(cca.rho),
    madVariance: Array.from(cca.madVariance),
    iterations,
    converged,
    samples: count,
  };
}

/** Chi-square statistic Z = Σ_i MAD_i² / madVariance_i of one pixel under a result. x, y: length p. */
export function madChiSquare(result: IrMadResult, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const p = result.bands;
  const { a, b, meanBefore, meanAfter, madVariance } = result;
  let z = 0;
  for (let i = 0; i < p; i++) {
    let mad = 0;
    for (let j = 0; j < p; j++) mad += a[i * p + j] * (x[j] - meanBefore[j]) - b[i * p + j] * (y[j] - meanAfter[j]);
    z += (mad * mad) / madVariance[i];
  }
  return z;
}

/** MAD variates of one pixel under a result (MAD_i = U_i − V_i), written to `out` (length p). */
export function madVariates(result: IrMadResult, x: ArrayLike<number>, y: ArrayLike<number>, out: Float64Array = new Float64Array(result.bands)): Float64Array {
  const p = result.bands;
  const { a, b, meanBefore, meanAfter } = result;
  for (let i = 0; i < p; i++) {
    let mad = 0;
    for (let j = 0; j < p; j++) mad += a[i * p + j] * (x[j] - meanBefore[j]) - b[i * p + j] * (y[j] - meanAfter[j]);
    out[i] = mad;
  }
  return out;
}

function isFiniteSample(before: Float64Array, after: Float64Array, base: number, p: number): boolean {
  let s = 0;
  for (let j = 0; j < p; j++) s += before[base + j] + after[base + j];
  // Any NaN or ±∞ (or a sum overflowing to ∞) makes s − s NaN.
  return s - s === 0;
}

/** Unweighted mean of the finite samples (block-summed), used as the fixed centring shift. */
function unweightedMean(before: Float64Array, after: Float64Array, p: number, count: number): Float64Array {
  const q = 2 * p;
  const total = new Float64Array(q);
  const block = new Float64Array(q);
  let n = 0;
  for (let k0 = 0; k0 < count; k0 += BLOCK) {
    const k1 = Math.min(count, k0 + BLOCK);
    block.fill(0);
    for (let k = k0; k < k1; k++) {
      const base = k * p;
      if (!isFiniteSample(before, after, base, p)) continue;
      n++;
      for (let j = 0; j < p; j++) {
        block[j] += before[base + j];
        block[p + j] += after[base + j];
      }
    }
    for (let j = 0; j < q; j++) total[j] += block[j];
  }
  if (n === 0) throw new Error(`irMad: none of the ${count} samples is finite in every band of both images`);
  for (let j = 0; j < q; j++) total[j] /= n;
  return total;
}

/** The per-iteration pass over the samples, with its buffers allocated once. */
class DataPass {
  private readonly q: number;
  /** Centred values transposed per block: c_j of block sample t at [j*BLOCK + t]. */
  private readonly c: Float64Array;
  /** w·c, same layout. */
  private readonly wc: Float64Array;
  private readonly w: Float64Array;
  private readonly valid: Uint8Array;
  private readonly z: Float64Array;
  private readonly survival: (x: number) => number;

  constructor(
    private readonly before: Float64Array,
    private readonly after: Float64Array,
    private readonly p: number,
    private readonly count: number,
    private readonly shift: Float64Array,
  ) {
    this.q = 2 * p;
    this.c = new Float64Array(this.q * BLOCK);
    this.wc = new Float64Array(this.q * BLOCK);
    this.w = new Float64Array(BLOCK);
    this.valid = new Uint8Array(BLOCK);
    this.z = new Float64Array(BLOCK);
    this.survival = chiSquareSurvivalFor(p);
  }

  /** Accumulates the weighted moments; weights are 1 (model null) or P(χ²_p > Z) under `model`. */
  run(model: PassModel | null, out: Moments): void {
    const { before, after, p, q, count, shift, c, wc, w, valid, z, survival } = this;
    const { sc, scc } = out;
    sc.fill(0);
    scc.fill(0);
    let sw = 0;
    for (let k0 = 0; k0 < count; k0 += BLOCK) {
      const n = Math.min(BLOCK, count - k0);
      // Load and centre; invalid samples and the padding of the last block become zeros with weight 0.
      for (let t = 0; t < n; t++) {
        const base = (k0 + t) * p;
        let s = 0;
        for (let j = 0; j < p; j++) {
          const xv = before[base + j];
          const yv = after[base + j];
          s += xv + yv;
          c[j * BLOCK + t] = xv - shift[j];
          c[(p + j) * BLOCK + t] = yv - shift[p + j];
        }
        // Any NaN or ±∞ (or a sum overflowing to ∞) makes s − s NaN.
        const ok = s - s === 0;
        valid[t] = ok ? 1 : 0;
        if (!ok) for (let j = 0; j < q; j++) c[j * BLOCK + t] = 0;
      }
      for (let t = n; t < BLOCK; t++) {
        valid[t] = 0;
        for (let j = 0; j < q; j++) c[j * BLOCK + t] = 0;
      }
      // Weights.
      if (model === null) {
        for (let t = 0; t < BLOCK; t++) w[t] = valid[t];
      } else {
        chiSquareBlock(model, c, p, z);
        for (let t = 0; t < BLOCK; t++) w[t] = valid[t] === 1 ? survival(z[t]) : 0;
      }
      // Block moments, added to the totals in block order.
      let bw = 0;
      for (let t = 0; t < BLOCK; t++) bw += w[t];
      sw += bw;
      for (let j = 0; j < q; j++) {
        const row = j * BLOCK;
        let s = 0;
        for (let t = 0; t < BLOCK; t++) {
          const v = w[t] * c[row + t];
          wc[row + t] = v;
          s += v;
        }
        sc[j] += s;
      }
      crossProductsBlock(wc, c, q, scc);
    }
    out.sw = sw;
  }
}

/**
 * Z_t = Σ_i (D_i·c_t − offset_i)² / σ_i² for the BLOCK samples of `c` (layout [j*BLOCK + t]).
 * Eight samples at a time so the partial sums stay in registers; fixed order over i and j.
 */
function chiSquareBlock(model: PassModel, c: Float64Array, p: number, z: Float64Array): void {
  const { d, offset, invVar } = model;
  const q = 2 * p;
  for (let t = 0; t < BLOCK; t += 8) {
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    let z4 = 0;
    let z5 = 0;
    let z6 = 0;
    let z7 = 0;
    for (let i = 0; i < p; i++) {
      const o = -offset[i];
      let m0 = o;
      let m1 = o;
      let m2 = o;
      let m3 = o;
      let m4 = o;
      let m5 = o;
      let m6 = o;
      let m7 = o;
      const di = i * q;
      for (let j = 0; j < q; j++) {
        const dij = d[di + j];
        const r = j * BLOCK + t;
        m0 += dij * c[r];
        m1 += dij * c[r + 1];
        m2 += dij * c[r + 2];
        m3 += dij * c[r + 3];
        m4 += dij * c[r + 4];
        m5 += dij * c[r + 5];
        m6 += dij * c[r + 6];
        m7 += dij * c[r + 7];
      }
      const iv = invVar[i];
      z0 += m0 * m0 * iv;
      z1 += m1 * m1 * iv;
      z2 += m2 * m2 * iv;
      z3 += m3 * m3 * iv;
      z4 += m4 * m4 * iv;
      z5 += m5 * m5 * iv;
      z6 += m6 * m6 * iv;
      z7 += m7 * m7 * iv;
    }
    z[t] = z0;
    z[t + 1] = z1;
    z[t + 2] = z2;
    z[t + 3] = z3;
    z[t + 4] = z4;
    z[t + 5] = z5;
    z[t + 6] = z6;
    z[t + 7] = z7;
  }
}

/**
 * scc[j*q + l] += Σ_t wc[j,t]·c[l,t] for j ≤ l (q even), 2×2 register blocks over (j, l) so each
 * loaded value is used twice; each entry is one sequential sum over t. The blocks on the
 * diagonal also write the unused lower entry (j+1, j).
 */
function crossProductsBlock(wc: Float64Array, c: Float64Array, q: number, scc: Float64Array): void {
  for (let j = 0; j < q; j += 2) {
    const rj0 = j * BLOCK;
    const rj1 = rj0 + BLOCK;
    for (let l = j; l < q; l += 2) {
      const rl0 = l * BLOCK;
      const rl1 = rl0 + BLOCK;
      let a00 = 0;
      let a01 = 0;
      let a10 = 0;
      let a11 = 0;
      for (let t = 0; t < BLOCK; t++) {
        const x0 = wc[rj0 + t];
        const x1 = wc[rj1 + t];
        const y0 = c[rl0 + t];
        const y1 = c[rl1 + t];
        a00 += x0 * y0;
        a01 += x0 * y1;
        a10 += x1 * y0;
        a11 += x1 * y1;
      }
      const o = j * q + l;
      scc[o] += a00;
      scc[o + 1] += a01;
      scc[o + q] += a10;
      scc[o + q + 1] += a11;
    }
  }
}

/** D = [A | −B], offset_i = D_i·(m − shift), invVar = 1/σ² for the next pass. */
function fillPassModel(cca: Cca, shift: Float64Array, p: number, model: PassModel): void {
  const q = 2 * p;
  for (let i = 0; i < p; i++) {
    let off = 0;
    for (let j = 0; j < p; j++) {
      const aij = cca.a[i * p + j];
      const bij = cca.b[i * p + j];
      model.d[i * q + j] = aij;
      model.d[i * q + p + j] = -bij;
      off += aij * (cca.meanX[j] - shift[j]) - bij * (cca.meanY[j] - shift[p + j]);
    }
    model.offset[i] = off;
    model.invVar[i] = 1 / cca.madVariance[i];
  }
}

/** Means and covariances from moments, then the regularised CCA. */
function solveCca(m: Moments, shift: Float64Array, p: number): Cca {
  const q = 2 * p;
  const e = new Float64Array(q);
  for (let j = 0; j < q; j++) e[j] = m.sc[j] / m.sw;
  const cov = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    for (let l = j; l < q; l++) {
      const v = m.scc[j * q + l] / m.sw - e[j] * e[l];
      cov[j * q + l] = v;
      cov[l * q + j] = v;
    }
  }
  for (let j = 0; j < q; j++) if (cov[j * q + j] < 0) cov[j * q + j] = 0;
  const meanX = new Float64Array(p);
  const meanY = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    meanX[j] = shift[j] + e[j];
    meanY[j] = shift[p + j] + e[p + j];
  }
  let scale = 1;
  for (let attempt = 0; ; attempt++) {
    try {
      return canonicalCorrelation(cov, meanX, meanY, p, scale);
    } catch (error) {
      if (!(error instanceof NotPositiveDefiniteError) || attempt >= 20) throw error;
      scale *= 100;
    }
  }
}

function ridged(cov: Float64Array, offset: number, mean: Float64Array, p: number, scale: number): Float64Array {
  const q = 2 * p;
  const out = new Float64Array(p * p);
  let trace = 0;
  for (let j = 0; j < p; j++) trace += cov[(offset + j) * q + offset + j];
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = cov[(offset + i) * q + offset + j];
  for (let j = 0; j < p; j++) {
    const d = out[j * p + j];
    out[j * p + j] = d + scale * (RIDGE_RELATIVE * d + (RIDGE_TRACE * trace) / p + RIDGE_MEAN * mean[j] * mean[j]) + RIDGE_ABSOLUTE;
  }
  return out;
}

/** H = L⁻¹ K (column by column), K row-major p×p. */
function lowerSolveMatrix(L: Float64Array, K: Float64Array, p: number): Float64Array {
  const H = new Float64Array(p * p);
  const col = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < p; i++) col[i] = K[i * p + j];
    solveLower(L, p, col, col);
    for (let i = 0; i < p; i++) H[i * p + j] = col[i];
  }
  return H;
}

/** Gᵀ G for row-major p×p G. */
function gram(G: Float64Array, p: number): Float64Array {
  const C = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += G[k * p + i] * G[k * p + j];
      C[i * p + j] = s;
      C[j * p + i] = s;
    }
  }
  return C;
}

function canonicalCorrelation(cov: Float64Array, meanX: Float64Array, meanY: Float64Array, p: number, scale: number): Cca {
  const q = 2 * p;
  const sxx = ridged(cov, 0, meanX, p, scale);
  const syy = ridged(cov, p, meanY, p, scale);
  const sxy = new Float64Array(p * p);
  const syx = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      sxy[i * p + j] = cov[i * q + p + j];
      syx[j * p + i] = cov[i * q + p + j];
    }
  }
  const ly = cholesky(syy, p);
  const g = lowerSolveMatrix(ly, syx, p); // G = L_y⁻¹ Σyx, so Σxy Σyy⁻¹ Σyx = Gᵀ G
  const { values, vectors } = generalizedEigen(gram(g, p), sxx, p);

  const a = new Float64Array(p * p);
  const b = new Float64Array(p * p);
  const rho = new Float64Array(p);
  const madVariance = new Float64Array(p);
  const ga = new Float64Array(p);
  let ySide: Float64Array | null = null;
  for (let i = 0; i < p; i++) {
    const lambda = Math.min(Math.max(values[i], 0), 1);
    rho[i] = Math.sqrt(lambda);
    madVariance[i] = Math.max(2 * (1 - rho[i]), MAD_VARIANCE_FLOOR);
    for (let j = 0; j < p; j++) a[i * p + j] = vectors[j * p + i];
    // b_raw = Σyy⁻¹ Σyx a = L_y⁻ᵀ (G a); b_rawᵀ Σyy b_raw = ‖G a‖² (= ρ² in exact arithmetic).
    let n2 = 0;
    for (let r = 0; r < p; r++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += g[r * p + k] * a[i * p + k];
      ga[r] = s;
      n2 += s * s;
    }
    if (n2 >= RHO2_NO_DIRECTION && lambda >= RHO2_NO_DIRECTION) {
      solveLowerTranspose(ly, p, ga, ga);
      const inv = 1 / Math.sqrt(n2);
      for (let j = 0; j < p; j++) b[i * p + j] = ga[j] * inv;
    } else {
      // No direction from the x side: use the y-side problem Σyx Σxx⁻¹ Σxy b = ρ² Σyy b.
      if (ySide === null) {
        const lx = cholesky(sxx, p);
        const h = lowerSolveMatrix(lx, sxy, p); // H = L_x⁻¹ Σxy, Σyx Σxx⁻¹ Σxy = Hᵀ H
        ySide = generalizedEigen(gram(h, p), syy, p).vectors;
      }
      let corr = 0;
      for (let j = 0; j < p; j++) {
        let s = 0;
        for (let k = 0; k < p; k++) s += sxy[j * p + k] * ySide[k * p + i];
        corr += a[i * p + j] * s;
      }
      const sign = corr < 0 ? -1 : 1;
      for (let j = 0; j < p; j++) b[i * p + j] = sign * ySide[j * p + i];
    }
  }
  return { meanX, meanY, a, b, rho, madVariance };
}
