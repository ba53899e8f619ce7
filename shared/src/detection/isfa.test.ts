import { describe, expect, it } from 'vitest';
import { isfa, type IsfaResult } from './isfa.js';
import { mulberry32 } from '../kernels/test-random.js';

/** A pair of p-band samples: correlated bands, the after epoch a gain/offset of the before plus noise,
 *  and `changed` of the samples replaced by unrelated values. */
function pair(p: number, n: number, changed: number, seed: number) {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const before = new Float64Array(n * p);
  const after = new Float64Array(n * p);
  const isChanged = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const common = gauss();
    isChanged[k] = k % Math.round(1 / changed) === 0 ? 1 : 0;
    for (let j = 0; j < p; j++) {
      const x = 100 + 20 * j + 15 * common + 5 * gauss();
      before[k * p + j] = x;
      after[k * p + j] = isChanged[k] ? 100 + 60 * gauss() : 1.3 * x + 7 * j - 20 + 2 * gauss();
    }
  }
  return { before, after, isChanged };
}

function bandStats(v: Float64Array, p: number, n: number) {
  const mean = new Array<number>(p).fill(0);
  const std = new Array<number>(p).fill(0);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < n; k++) mean[j] += v[k * p + j]! / n;
    for (let k = 0; k < n; k++) std[j] += (v[k * p + j]! - mean[j]!) ** 2 / n;
    std[j] = Math.sqrt(std[j]!);
  }
  return { mean, std };
}

/** The statistic as the change pass forms it from the fit: |T·d|² on the z-scored difference d. */
function statistic(fit: IsfaResult, d: number[]): number {
  const p = fit.bands;
  let z = 0;
  for (let i = 0; i < p; i++) {
    let m = 0;
    for (let j = 0; j <= i; j++) m += fit.whiten[i * p + j]! * d[j]!;
    z += m * m;
  }
  return z;
}

/** dᵀ A⁻¹ d by Gauss–Jordan inversion of A (the naive reference). */
function mahalanobis(A: number[][], d: number[]): number {
  const p = d.length;
  const m = A.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const v = m[c]![c]!;
    for (let j = 0; j < 2 * p; j++) m[c]![j]! /= v;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let j = 0; j < 2 * p; j++) m[r]![j]! -= f * m[c]![j]!;
    }
  }
  const inv = m.map((row) => row.slice(p));
  let z = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) z += d[i]! * inv[i]![j]! * d[j]!;
  return z;
}

describe('isfa', () => {
  const p = 4;
  const n = 4000;
  const { before, after, isChanged } = pair(p, n, 0.1, 7);
  const sb = bandStats(before, p, n);
  const sa = bandStats(after, p, n);
  const stats = { meanBefore: sb.mean, stdBefore: sb.std, meanAfter: sa.mean, stdAfter: sa.std };
  const d = (k: number) => Array.from({ length: p }, (_, j) => (before[k * p + j]! - sb.mean[j]!) / sb.std[j]! - (after[k * p + j]! - sa.mean[j]!) / sa.std[j]!);

  it('with one fit, is the Mahalanobis length of the z-scored difference under its second moment', () => {
    const fit = isfa(before, after, p, n, stats, { maxIterations: 1 });
    expect(fit.iterations).toBe(1);
    const A = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += d(k)[i]! * d(k)[j]!;
      return s / n;
    }));
    let sum = 0;
    for (let k = 0; k < n; k += 37) {
      const z = statistic(fit, d(k));
      expect(z).toBeCloseTo(mahalanobis(A, d(k)), 6);
    }
    for (let k = 0; k < n; k++) sum += statistic(fit, d(k));
    // the mean of dᵀA⁻¹d over the samples A is the moment of is exactly trace(I) = p
    expect(sum / n).toBeCloseTo(p, 6);
  });

  it('reweighted, gives changed samples far larger statistics than unchanged ones', () => {
    const fit = isfa(before, after, p, n, stats);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeGreaterThan(2);
    // lower triangular: nothing above the diagonal, which the change pass never reads
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) expect(fit.whiten[i * p + j]).toBe(0);
    const z = Array.from({ length: n }, (_, k) => statistic(fit, d(k)));
    const mean = (f: (k: number) => boolean) => {
      const v = z.filter((_, k) => f(k));
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    const unchanged = mean((k) => isChanged[k] === 0);
    const changed = mean((k) => isChanged[k] === 1);
    // reweighting shrinks the tail of the no-change population, so its Z runs above χ²_p's mean p
    // (as with IR-MAD, irmad.ts); what matters is the separation
    expect(unchanged).toBeLessThan(4 * p);
    expect(changed).toBeGreaterThan(10 * unchanged);
  });

  it('is deterministic and ignores samples with non-finite values', () => {
    const a = isfa(before, after, p, n, stats);
    expect(isfa(before, after, p, n, stats)).toEqual(a);
    const withNaN = new Float64Array(before);
    withNaN[5 * p + 2] = NaN;
    const b = isfa(withNaN, after, p, n, stats);
    expect(b.whiten.every(Number.isFinite)).toBe(true);
    expect(b.samples).toBe(n);
  });

  it('handles a constant band and a single band', () => {
    const flat = new Float64Array(before);
    for (let k = 0; k < n; k++) flat[k * p + 1] = 50;
    const fit = isfa(flat, after, p, n, { ...stats, stdBefore: sb.std.map((s, j) => (j === 1 ? 0 : s)) });
    expect(fit.whiten.every(Number.isFinite)).toBe(true);
    const one = isfa(Float64Array.from({ length: n }, (_, k) => before[k * p]!), Float64Array.from({ length: n }, (_, k) => after[k * p]!), 1, n, {
      meanBefore: [sb.mean[0]!],
      stdBefore: [sb.std[0]!],
      meanAfter: [sa.mean[0]!],
      stdAfter: [sa.std[0]!],
    });
    expect(one.whiten).toHaveLength(1);
    expect(one.whiten[0]! > 0 && Number.isFinite(one.whiten[0]!)).toBe(true);
  });
});
