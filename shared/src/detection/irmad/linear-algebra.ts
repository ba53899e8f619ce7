/**
 * Small dense symmetric linear algebra for IR-MAD (p ≤ 16 in practice; nothing here is tuned
 * for large matrices).
 *
 * Layout: every matrix is a row-major `ArrayLike<number>` of length p·p, element (i, j) at
 * [i*p + j]. Vectors are length p. Results are fresh `Float64Array`s unless an `out` buffer is
 * passed.
 *
 * Methods (all deterministic: fixed loop order, no randomness, no data-dependent pivoting
 * other than the documented ordering rules):
 *  - Cholesky A = L Lᵀ by the gaxpy (column) algorithm, Golub & Van Loan, "Matrix
 *    Computations", 4th ed., Alg. 4.2.1. Reads only the lower triangle of A.
 *  - Forward / back substitution with L and Lᵀ (Golub & Van Loan §3.1).
 *  - Symmetric eigendecomposition by the cyclic(-by-row) Jacobi method, Golub & Van Loan
 *    Alg. 8.5.2 (symSchur2) and Alg. 8.5.3; the "skip rotations that cannot change the
 *    diagonal" rule after a few sweeps is from Press et al., Numerical Recipes, §11.1.
 *  - Symmetric-definite generalized eigenproblem C v = λ S v by Cholesky reduction,
 *    Golub & Van Loan §8.7.2 (Alg. 8.7.1): S = L Lᵀ, M = L⁻¹ C L⁻ᵀ, M w = λ w, v = L⁻ᵀ w,
 *    so that vᵀ S v = wᵀ w = 1 and the v are S-orthonormal.
 */

/** Thrown by {@link cholesky} when a pivot is not strictly positive (or not finite). */
export class NotPositiveDefiniteError extends Error {
  /** Index of the failing pivot (0-based). */
  readonly pivot: number;
  /** The value under the square root at that pivot. */
  readonly value: number;

  constructor(pivot: number, value: number) {
    super(`matrix is not positive definite: Cholesky pivot ${pivot} is ${value}`);
    this.name = 'NotPositiveDefiniteError';
    this.pivot = pivot;
    this.value = value;
  }
}

/** Eigenvalues ascending and eigenvectors as the columns of a row-major p×p matrix. */
export interface EigenDecomposition {
  /** Length p, ascending. */
  values: Float64Array;
  /** Row-major p×p; column k (elements [i*p + k]) is the eigenvector of values[k]. */
  vectors: Float64Array;
}

function checkSquare(name: string, A: ArrayLike<number>, p: number): void {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`${name}: order must be a positive integer, got ${p}`);
  if (A.length < p * p) throw new RangeError(`${name}: matrix has ${A.length} elements, need ${p * p} for order ${p}`);
}

/**
 * Cholesky factor of a symmetric positive definite matrix (Golub & Van Loan Alg. 4.2.1).
 * Only the lower triangle of A (i ≥ j) is read. Returns the lower-triangular L (upper part
 * zero) with A = L Lᵀ. Throws {@link NotPositiveDefiniteError} if a pivot is ≤ 0 or not finite.
 */
export function cholesky(A: ArrayLike<number>, p: number, out?: Float64Array): Float64Array {
  checkSquare('cholesky', A, p);
  const L = out ?? new Float64Array(p * p);
  L.fill(0, 0, p * p);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k];
    if (!(d > 0) || d === Infinity) throw new NotPositiveDefiniteError(j, d);
    const ljj = Math.sqrt(d);
    L[rj + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k];
      L[ri + j] = s / ljj;
    }
  }
  return L;
}

/** Solves L x = b for lower-triangular L (forward substitution). `out` may alias `b`. */
export function solveLower(L: ArrayLike<number>, p: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(p);
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
    x[i] = s / L[ri + i];
  }
  return x;
}

/** Solves Lᵀ x = b for lower-triangular L (back substitution). `out` may alias `b`. */
export function solveLowerTranspose(L: ArrayLike<number>, p: number, b: ArrayLike<number>, out?: Float64Array): Float64Array {
  const x = out ?? new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
    x[i] = s / L[i * p + i];
  }
  return x;
}

/**
 * Flips the sign of each column of the row-major p×p matrix V so that the column's
 * largest-magnitude component is positive (the first such component on exact ties).
 */
export function normaliseColumnSigns(V: Float64Array, p: number): void {
  for (let k = 0; k < p; k++) {
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < p; i++) {
      const a = Math.abs(V[i * p + k]);
      if (a > bestAbs) {
        bestAbs = a;
        best = i;
      }
    }
    if (V[best * p + k] < 0) for (let i = 0; i < p; i++) V[i * p + k] = -V[i * p + k];
  }
}

const MAX_SWEEPS = 100;

/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan
 * Alg. 8.5.3). A is symmetrised as (A + Aᵀ)/2 first. Rotations are taken in row-cyclic order
 * (p, q) = (0,1), (0,2), …, (p−2, p−1); a sweep ends the iteration when the off-diagonal mass
 * is zero or below 1e-40 of the Frobenius mass (elements ≲ 1e-20·‖A‖_F); after the third sweep an
 * off-diagonal element too small to change either diagonal entry is set to zero (Numerical
 * Recipes §11.1). At most 100 sweeps (quadratic convergence needs ~6–10 for p ≤ 16).
 *
 * Returns eigenvalues ascending (ties keep the order of the diagonal they converged on) and the
 * orthonormal eigenvectors as columns, each sign-normalised so its largest-magnitude component
 * is positive.
 */
export function symmetricEigen(A: ArrayLike<number>, p: number): EigenDecomposition {
  checkSquare('symmetricEigen', A, p);
  const a = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) a[i * p + j] = i === j ? A[i * p + i] : 0.5 * (A[i * p + j] + A[j * p + i]);
  }
  const v = new Float64Array(p * p);
  for (let i = 0; i < p; i++) v[i * p + i] = 1;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const x = a[i * p + j] * a[i * p + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off === 0 || off <= 1e-40 * total) break;

    for (let ip = 0; ip < p - 1; ip++) {
      for (let iq = ip + 1; iq < p; iq++) {
        const apq = a[ip * p + iq];
        if (apq === 0) continue;
        const app = a[ip * p + ip];
        const aqq = a[iq * p + iq];
        const g = 100 * Math.abs(apq);
        if (sweep > 3 && Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
          a[ip * p + iq] = 0;
          a[iq * p + ip] = 0;
          continue;
        }
        // symSchur2 (Golub & Van Loan Alg. 8.5.2): choose the smaller rotation angle.
        const theta = (aqq - app) / (2 * apq);
        let t: number;
        if (Math.abs(theta) > 1e150) t = 0.5 / theta;
        else t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with J = I except J[p,p] = J[q,q] = c, J[p,q] = s, J[q,p] = −s.
        for (let k = 0; k < p; k++) {
          if (k === ip || k === iq) continue;
          const akp = a[k * p + ip];
          const akq = a[k * p + iq];
          const nkp = c * akp - s * akq;
          const nkq = s * akp + c * akq;
          a[k * p + ip] = nkp;
          a[ip * p + k] = nkp;
          a[k * p + iq] = nkq;
          a[iq * p + k] = nkq;
        }
        a[ip * p + ip] = app - t * apq;
        a[iq * p + iq] = aqq + t * apq;
        a[ip * p + iq] = 0;
        a[iq * p + ip] = 0;
        for (let k = 0; k < p; k++) {
          const vkp = v[k * p + ip];
          const vkq = v[k * p + iq];
          v[k * p + ip] = c * vkp - s * vkq;
          v[k * p + iq] = s * vkp + c * vkq;
        }
      }
    }
  }

  // Sort ascending; ties by diagonal position (stable), so the result is deterministic.
  const order = Array.from({ length: p }, (_, i) => i);
  order.sort((x, y) => a[x * p + x] - a[y * p + y] || x - y);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    const src = order[k];
    values[k] = a[src * p + src];
    for (let i = 0; i < p; i++) vectors[i * p + k] = v[i * p + src];
  }
  normaliseColumnSigns(vectors, p);
  return { values, vectors };
}

/**
 * Symmetric-definite generalized eigenproblem C v = λ S v (C symmetric, S symmetric positive
 * definite) by Cholesky reduction (Golub & Van Loan §8.7.2): S = L Lᵀ, M = L⁻¹ C L⁻ᵀ
 * (symmetrised), M = W Λ Wᵀ by {@link symmetricEigen}, V = L⁻ᵀ W.
 *
 * Returns λ ascending and the eigenvectors as columns of V, S-orthonormal (vᵀ S v = 1,
 * v_iᵀ S v_j = 0), each sign-normalised so its largest-magnitude component is positive.
 * Throws {@link NotPositiveDefiniteError} if S is not positive definite.
 */
export function generalizedEigen(C: ArrayLike<number>, S: ArrayLike<number>, p: number): EigenDecomposition {
  checkSquare('generalizedEigen', C, p);
  checkSquare('generalizedEigen', S, p);
  const L = cholesky(S, p);
  // X = L⁻¹ C, column by column; then M = L⁻¹ Xᵀ = L⁻¹ C L⁻ᵀ (C symmetric).
  const col = new Float64Array(p);
  const X = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < p; i++) col[i] = C[i * p + j];
    solveLower(L, p, col, col);
    for (let i = 0; i < p; i++) X[i * p + j] = col[i];
  }
  const M = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < p; i++) col[i] = X[j * p + i]; // column j of Xᵀ = row j of X
    solveLower(L, p, col, col);
    for (let i = 0; i < p; i++) M[i * p + j] = col[i];
  }
  const { values, vectors: W } = symmetricEigen(M, p); // symmetricEigen symmetrises M
  const V = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    for (let i = 0; i < p; i++) col[i] = W[i * p + k];
    solveLowerTranspose(L, p, col, col);
    for (let i = 0; i < p; i++) V[i * p + k] = col[i];
  }
  normaliseColumnSigns(V, p);
  return { values, vectors: V };
}
