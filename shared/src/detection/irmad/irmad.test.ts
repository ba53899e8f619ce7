import { describe, expect, it } from 'vitest';
import { MAD_VARIANCE_FLOOR, irMad, madChiSquare, madVariates, type IrMadResult } from './irmad.js';

/*
 * Reference values by value from a small numpy 1.24.2 / scipy 1.10.1 implementation of the same
 * algorithm (same ridge, same weights, same stopping rule), run on the same synthetic scenes
 * (the generators below are bit-identical in Python: mulberry32 and Irwin–Hall normals use only
 * integer ops, + and ×, so no libm differences):
 *
 *   def ridged(S, m):
 *       p = S.shape[0]; S = S.copy(); tr = np.trace(S)
 *       for j in range(p): S[j, j] += 1e-10*S[j, j] + 1e-12*tr/p + 1e-24*m[j]**2 + 1e-300
 *       return S
 *   def cca(X, Y, w):
 *       sw = w.sum(); mx = w @ X / sw; my = w @ Y / sw; Xc = X - mx; Yc = Y - my
 *       Sxx = (Xc*w[:, None]).T @ Xc / sw; Syy = (Yc*w[:, None]).T @ Yc / sw; Sxy = (Xc*w[:, None]).T @ Yc / sw
 *       Sxx = ridged(Sxx, mx); Syy = ridged(Syy, my)
 *       C = Sxy @ np.linalg.solve(Syy, Sxy.T); C = (C + C.T)/2
 *       lam, A = scipy.linalg.eigh(C, Sxx); rho = np.sqrt(np.clip(lam, 0, 1))
 *       B = np.linalg.solve(Syy, Sxy.T @ A); B /= np.sqrt(np.einsum('ij,ik,kj->j', B, Syy, B))
 *       return mx, my, A, B, rho, np.maximum(2*(1 - rho), 1e-12)
 *   def Z(X, Y, r):
 *       mx, my, A, B, rho, var = r
 *       return ((((X - mx) @ A - (Y - my) @ B)**2) / var).sum(1)
 *   def irmad(X, Y, maxit=30, tol=1e-4):
 *       w = np.ones(len(X)); r = cca(X, Y, w); it = 1; conv = False
 *       while it < maxit:
 *           w = scipy.stats.chi2.sf(Z(X, Y, r), X.shape[1]); nxt = cca(X, Y, w); it += 1
 *           d = np.max(np.abs(nxt[4] - r[4])); r = nxt
 *           if d < tol: conv = True; break
 *       return r, it, conv
 */
const SCENE4_IDX = [0, 1, 2, 3, 10, 17, 39, 71, 100, 150, 5000, 19999];
const SCENE4_CHANGED = 950;
const SCENE4_DEFAULT = { iterations: 11, converged: true, rho: [0.9957146535370526, 0.9984871148812201, 0.9995825163861556, 0.9999226218995204], z: [17.475397393201273, 5.603167847048854, 4.439635801278682, 12.38912029790727, 136998.63935038404, 3.542882836207496, 14395.195058015091, 25815.872430140495, 5.514007042761632, 94465.5734915109, 75799.91994577501, 2.206849622100971], meanBefore: [70.8543679079741, 79.90622339074127, 67.5189714186528, 91.5295210407511], meanAfter: [82.9634283652011, 68.95056464937369, 97.77075000207836, 75.21337114650406] };
const SCENE4_FIXED = [
  { iterations: 1, rho: [0.44282508148991084, 0.6933223782335338, 0.8578966522801676, 0.9067050307439314], z: [2.752122589446245, 0.22048256257761978, 0.121371866433698, 1.3847246988088457, 165.20547955553684, 0.5872911928584406, 42.91165243973614, 76.97005617194448, 0.589876083175989, 135.36951902740165, 107.99076339985784, 0.1943739027761647] },
  { iterations: 2, rho: [0.9842944321444984, 0.9951296994519102, 0.9986486951194162, 0.9997085032977786], z: [5.43333412240112, 1.6215592054564996, 1.3976846078400027, 3.9422171539813116, 40078.94895988024, 1.1280264606204928, 4483.473605341802, 8064.938875079672, 1.656903725875909, 26366.546529941887, 20119.63918807055, 0.8084907303018094] },
  { iterations: 3, rho: [0.9912536545246016, 0.9970309523602814, 0.9991770891449098, 0.9998369683591755], z: [8.730758418435329, 2.7311092504474423, 2.324707907212212, 6.533414743069211, 67973.53143589376, 1.7683093218006467, 7394.131288496148, 13246.636794054688, 2.8035049840115502, 46215.790753547786, 35737.27692626533, 1.2930776540958675] },
];
const SCENE13_IDX = [0, 1, 2, 3, 6, 500, 2999];
const SCENE13_DEFAULT = { iterations: 12, converged: true, rho: [0.9807992103964471, 0.9849964590603713, 0.9871209949060873, 0.9879244754255144, 0.9901376336842314, 0.9914918700104705, 0.992788470409626, 0.9935097842118277, 0.9993230293554796, 0.9997453940161066, 0.9998996542908689, 0.9999292113951267, 0.9999539368597941], z: [37.675402388779254, 31.934635937717573, 52967.21728056502, 22.875497029973385, 55799.6573180643, 28.654224569831243, 22.385908505965904] };
const SCENE13_FIXED4 = { iterations: 4, rho: [0.9774220317033275, 0.9829417861278463, 0.984199179546839, 0.9865315241693836, 0.9882443318292027, 0.989444329024891, 0.9913408504236404, 0.9916075277049495, 0.9992048631359678, 0.9996918775012256, 0.9998782238401946, 0.9999157603180199, 0.9999433631440418], z: [30.951789023713967, 25.717782851750798, 43512.406492473514, 18.196489144751908, 44209.650788839055, 23.678509277525574, 17.90253426726627] };

/** mulberry32 PRNG (uniform in [0, 1), exact multiples of 2⁻³²). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scene {
  before: Float64Array;
  after: Float64Array;
  changed: Uint8Array;
  bands: number;
  count: number;
}

/**
 * 4-band scene: 5 land-cover classes plus noise (σ≈8) before; after = gain·before + offset + noise
 * (σ≈1.5) for ~95 % of samples, uniformly random values for the ~5 % changed ones.
 */
function scene4(count: number, seed: number): Scene {
  const CLASS = [[30, 40, 35, 90], [60, 55, 70, 120], [90, 80, 60, 40], [120, 130, 140, 150], [50, 90, 30, 60]];
  const GAIN = [1.1, 0.9, 1.3, 0.8];
  const OFFSET = [5, -3, 10, 2];
  const r = mulberry32(seed);
  const normal = (): number => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += r();
    return s - 6;
  };
  const before = new Float64Array(count * 4);
  const after = new Float64Array(count * 4);
  const changed = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const c = Math.floor(r() * 5);
    for (let j = 0; j < 4; j++) before[k * 4 + j] = CLASS[c][j] + 8 * normal();
    const ch = r() < 0.05;
    changed[k] = ch ? 1 : 0;
    for (let j = 0; j < 4; j++) after[k * 4 + j] = ch ? GAIN[j] * (255 * r()) + OFFSET[j] : GAIN[j] * before[k * 4 + j] + OFFSET[j] + 1.5 * normal();
  }
  return { before, after, changed, bands: 4, count };
}

/** Like scene4 for any p, with 6 random class means, gains and offsets. */
function sceneGeneral(count: number, p: number, seed: number): Scene {
  const r = mulberry32(seed);
  const normal = (): number => {
    let s = 0;
    for (let i = 0; i < 12; i++) s += r();
    return s - 6;
  };
  const cls = Array.from({ length: 6 }, () => Array.from({ length: p }, () => 20 + 200 * r()));
  const gain = Array.from({ length: p }, () => 0.7 + 0.6 * r());
  const off = Array.from({ length: p }, () => -10 + 20 * r());
  const before = new Float64Array(count * p);
  const after = new Float64Array(count * p);
  const changed = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const c = Math.floor(r() * 6);
    for (let j = 0; j < p; j++) before[k * p + j] = cls[c][j] + 8 * normal();
    const ch = r() < 0.05;
    changed[k] = ch ? 1 : 0;
    for (let j = 0; j < p; j++) after[k * p + j] = ch ? gain[j] * 255 * r() + off[j] : gain[j] * before[k * p + j] + off[j] + 1.5 * normal();
  }
  return { before, after, changed, bands: p, count };
}

function zOf(result: IrMadResult, s: Scene, k: number): number {
  const p = s.bands;
  return madChiSquare(result, s.before.subarray(k * p, (k + 1) * p), s.after.subarray(k * p, (k + 1) * p));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relTol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-300);
    expect(err, `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThan(relTol);
  }
}

function expectAllFinite(result: IrMadResult): void {
  const numbers = [...result.meanBefore, ...result.meanAfter, ...result.a, ...result.b, ...result.rho, ...result.madVariance];
  for (const v of numbers) expect(Number.isFinite(v), `non-finite value ${v}`).toBe(true);
  for (const v of result.madVariance) expect(v).toBeGreaterThanOrEqual(MAD_VARIANCE_FLOOR);
  for (const v of result.rho) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
}

/** Area under the ROC curve of score for changed vs unchanged (Mann–Whitney U / (n₁n₀)). */
function auc(score: Float64Array, changed: Uint8Array): number {
  const order = Array.from(score.keys()).sort((i, j) => score[i] - score[j]);
  let rankSum = 0;
  let positives = 0;
  order.forEach((k, rank) => {
    if (changed[k] === 1) {
      rankSum += rank + 1;
      positives++;
    }
  });
  const negatives = score.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

describe('irMad on a synthetic 4-band scene (20,000 samples, 5 % changed)', () => {
  const s = scene4(20_000, 12345);
  const result = irMad(s.before, s.after, s.bands, s.count);

  it('generates the same scene as the Python reference', () => {
    let changed = 0;
    for (const c of s.changed) changed += c;
    expect(changed).toBe(SCENE4_CHANGED);
    expect(Array.from(s.before.subarray(0, 4))).toEqual([61.39357890188694, 102.65365447476506, 13.369898023083806, 69.359026202932]);
    expect(Array.from(s.after.subarray(0, 4))).toEqual([71.31026419061237, 89.08280128638727, 29.49199328524992, 59.8623071791837]);
  });

  it('converges like the numpy reference: iterations, rho, means and Z to 1e-6', () => {
    expect(result.iterations).toBe(SCENE4_DEFAULT.iterations);
    expect(result.converged).toBe(SCENE4_DEFAULT.converged);
    expect(result.samples).toBe(20_000);
    expect(result.bands).toBe(4);
    expectClose(result.rho, SCENE4_DEFAULT.rho, 1e-8);
    expectClose(result.meanBefore, SCENE4_DEFAULT.meanBefore, 1e-9);
    expectClose(result.meanAfter, SCENE4_DEFAULT.meanAfter, 1e-9);
    expectClose(SCENE4_IDX.map((k) => zOf(result, s, k)), SCENE4_DEFAULT.z, 1e-6);
  });

  it('matches the reference after a fixed number of iterations (same weights each step)', () => {
    for (const ref of SCENE4_FIXED) {
      const r = irMad(s.before, s.after, s.bands, s.count, { maxIterations: ref.iterations, tolerance: 0 });
      expect(r.iterations).toBe(ref.iterations);
      expect(r.converged).toBe(false);
      expectClose(r.rho, ref.rho, 1e-8);
      expectClose(SCENE4_IDX.map((k) => zOf(r, s, k)), ref.z, 1e-6);
    }
  });

  it('finds the no-change structure: all canonical correlations near 1, above the unweighted MAD', () => {
    const plain = irMad(s.before, s.after, s.bands, s.count, { maxIterations: 1 });
    for (let i = 0; i < 4; i++) {
      expect(result.rho[i]).toBeGreaterThan(0.99);
      expect(result.rho[i]).toBeGreaterThan(plain.rho[i]);
      if (i > 0) expect(result.rho[i]).toBeGreaterThanOrEqual(result.rho[i - 1]);
    }
    expectAllFinite(result);
  });

  it('separates changed from unchanged samples by the chi-square statistic (AUC > 0.99)', () => {
    const z = new Float64Array(s.count);
    for (let k = 0; k < s.count; k++) z[k] = zOf(result, s, k);
    expect(auc(z, s.changed)).toBeGreaterThan(0.99);
    // Median Z of the changed samples is orders of magnitude above that of the unchanged ones.
    const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1];
    const zc: number[] = [];
    const zu: number[] = [];
    z.forEach((v, k) => (s.changed[k] ? zc : zu).push(v));
    expect(median(zc)).toBeGreaterThan(100 * median(zu));
  });

  it('is bit-exact across runs', () => {
    const again = irMad(s.before, s.after, s.bands, s.count);
    expect(again).toStrictEqual(result);
  });

  it('normalisation and signs: unit variance, corr(U_i, V_i) = rho_i ≥ 0, uncorrelated variates (unweighted first iteration)', () => {
    const r = irMad(s.before, s.after, s.bands, s.count, { maxIterations: 1 });
    const p = 4;
    const n = s.count;
    const U = new Float64Array(n * p);
    const V = new Float64Array(n * p);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < p; i++) {
        let u = 0;
        let v = 0;
        for (let j = 0; j < p; j++) {
          u += r.a[i * p + j] * (s.before[k * p + j] - r.meanBefore[j]);
          v += r.b[i * p + j] * (s.after[k * p + j] - r.meanAfter[j]);
        }
        U[k * p + i] = u;
        V[k * p + i] = v;
      }
    }
    const cov = (A: Float64Array, i: number, B: Float64Array, j: number): number => {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += A[k * p + i] * B[k * p + j];
      return sum / n;
    };
    for (let i = 0; i < p; i++) {
      expect(cov(U, i, U, i)).toBeCloseTo(1, 8);
      expect(cov(V, i, V, i)).toBeCloseTo(1, 8);
      expect(cov(U, i, V, i)).toBeCloseTo(r.rho[i], 8);
      expect(r.rho[i]).toBeGreaterThanOrEqual(0);
      expect(r.madVariance[i]).toBeCloseTo(2 * (1 - r.rho[i]), 14);
      for (let j = 0; j < p; j++) {
        if (j === i) continue;
        expect(Math.abs(cov(U, i, U, j))).toBeLessThan(1e-8);
        expect(Math.abs(cov(V, i, V, j))).toBeLessThan(1e-8);
        expect(Math.abs(cov(U, i, V, j))).toBeLessThan(1e-8);
      }
    }
  });

  it('madChiSquare is Σ madVariates² / madVariance', () => {
    const x = s.before.subarray(40, 44);
    const y = s.after.subarray(40, 44);
    const mad = madVariates(result, x, y);
    let z = 0;
    for (let i = 0; i < 4; i++) z += (mad[i] * mad[i]) / result.madVariance[i];
    expect(madChiSquare(result, x, y)).toBeCloseTo(z, 10);
  });

  it('ignores samples with a non-finite value', () => {
    const n = 2000;
    const before = Float64Array.from(s.before.subarray(0, n * 4));
    const after = Float64Array.from(s.after.subarray(0, n * 4));
    const clean = irMad(before, after, 4, n, { maxIterations: 5, tolerance: 0 });
    const bigBefore = new Float64Array((n + 3) * 4);
    const bigAfter = new Float64Array((n + 3) * 4);
    bigBefore.set(before);
    bigAfter.set(after);
    bigBefore.set([NaN, 1, 2, 3, 1, Infinity, 2, 3, 5, 5, 5, 5], n * 4);
    bigAfter.set([1, 2, 3, 4, 1, 2, 3, 4, 5, 5, -Infinity, 5], n * 4);
    const dirty = irMad(bigBefore, bigAfter, 4, n + 3, { maxIterations: 5, tolerance: 0 });
    expectClose(dirty.rho, clean.rho, 1e-12);
    expectClose(dirty.meanBefore, clean.meanBefore, 1e-12);
    expect(dirty.samples).toBe(n + 3);
  });
});

describe('irMad on a synthetic 13-band scene (3,000 samples)', () => {
  const s = sceneGeneral(3000, 13, 99);

  it('matches the numpy reference (default options and 4 fixed iterations)', () => {
    expect(Array.from(s.before.subarray(0, 3))).toEqual([158.0783672053367, 79.51972303539515, 70.42306086048484]);
    const r = irMad(s.before, s.after, 13, s.count);
    expect(r.iterations).toBe(SCENE13_DEFAULT.iterations);
    expect(r.converged).toBe(SCENE13_DEFAULT.converged);
    expectClose(r.rho, SCENE13_DEFAULT.rho, 1e-7);
    expectClose(SCENE13_IDX.map((k) => zOf(r, s, k)), SCENE13_DEFAULT.z, 1e-6);
    const r4 = irMad(s.before, s.after, 13, s.count, { maxIterations: 4, tolerance: 0 });
    expectClose(r4.rho, SCENE13_FIXED4.rho, 1e-8);
    expectClose(SCENE13_IDX.map((k) => zOf(r4, s, k)), SCENE13_FIXED4.z, 1e-6);
    expectAllFinite(r);
  });
});

describe('irMad on degenerate input never produces NaN', () => {
  const base = scene4(500, 7);

  function check(before: Float64Array, after: Float64Array, bands: number, count: number): IrMadResult {
    const r = irMad(before, after, bands, count);
    expectAllFinite(r);
    for (let k = 0; k < count; k++) {
      const z = madChiSquare(r, before.subarray(k * bands, (k + 1) * bands), after.subarray(k * bands, (k + 1) * bands));
      expect(Number.isFinite(z), `Z of sample ${k} is ${z}`).toBe(true);
    }
    return r;
  }

  it('p = 1', () => {
    const n = base.count;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      x[k] = base.before[k * 4];
      y[k] = base.after[k * 4];
    }
    const r = check(x, y, 1, n);
    expect(r.rho[0]).toBeGreaterThan(0.9);
    expect(r.a.length).toBe(1);
  });

  it('a constant band in one or both images', () => {
    const before = Float64Array.from(base.before);
    const after = Float64Array.from(base.after);
    for (let k = 0; k < base.count; k++) before[k * 4 + 2] = 1234.5678;
    check(before, after, 4, base.count);
    for (let k = 0; k < base.count; k++) after[k * 4 + 2] = 0.1;
    const r = check(before, after, 4, base.count);
    // The constant band takes no part: the other three correlations stay high.
    expect(r.rho[3]).toBeGreaterThan(0.99);
  });

  it('every band constant, all zeros, identical images', () => {
    check(new Float64Array(40).fill(7.25), new Float64Array(40).fill(-3), 4, 10);
    check(new Float64Array(40), new Float64Array(40), 4, 10);
    const r = check(base.before, base.before, 4, base.count);
    for (const rho of r.rho) expect(rho).toBeGreaterThan(0.999999);
  });

  it('perfectly collinear bands', () => {
    const before = Float64Array.from(base.before);
    const after = Float64Array.from(base.after);
    for (let k = 0; k < base.count; k++) {
      before[k * 4 + 1] = 2 * before[k * 4] - 3;
      after[k * 4 + 3] = after[k * 4] + after[k * 4 + 2];
    }
    check(before, after, 4, base.count);
  });

  it('fewer samples than 2p + 1, and a single sample', () => {
    check(base.before.subarray(0, 12), base.after.subarray(0, 12), 4, 3);
    check(base.before.subarray(0, 32), base.after.subarray(0, 32), 4, 8);
    const one = check(base.before.subarray(0, 4), base.after.subarray(0, 4), 4, 1);
    expect(one.meanBefore).toEqual(Array.from(base.before.subarray(0, 4)));
  });

  it('throws a clear error for count 0 and for no finite sample', () => {
    expect(() => irMad(new Float64Array(0), new Float64Array(0), 4, 0)).toThrow(/count is 0/);
    expect(() => irMad(new Float64Array(4).fill(NaN), new Float64Array(4), 4, 1)).toThrow(/finite/);
    expect(() => irMad(new Float64Array(4), new Float64Array(4), 4, 2)).toThrow(RangeError);
    expect(() => irMad(new Float64Array(4), new Float64Array(4), 0, 1)).toThrow(RangeError);
  });
});
