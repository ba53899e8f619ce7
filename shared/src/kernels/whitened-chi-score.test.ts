import { describe, expect, it } from 'vitest';
import { madChiScore } from './mad-chi-score.js';
import { mulberry32 } from './test-random.js';
import { whitenedChiScore } from './whitened-chi-score.js';

/** Float64 reference: the change vector, its whitened features by explicit sums, per pixel. */
function reference(before: Float32Array, after: Float32Array, n: number, p: number, valid: Uint8Array, bm: number[], bs: number[], am: number[], as: number[], t: number[]): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 1) continue;
    const d = Array.from({ length: p }, (_, j) => (after[j * n + i]! - am[j]!) / as[j]! - (before[j * n + i]! - bm[j]!) / bs[j]!);
    let z = 0;
    for (let k = 0; k < p; k++) {
      let f = 0;
      for (let j = 0; j <= k; j++) f += t[k * p + j]! * d[j]!;
      z += f * f;
    }
    out[i] = Math.sqrt(z / p);
  }
  return out;
}

const f64 = (v: number[]) => Float64Array.from(v);

describe('whitenedChiScore', () => {
  it('computes sqrt(|T·d|² / p) on a hand-computed 2-band example, 0 where invalid', () => {
    // 3 pixels, 2 bands, planar; means 1 and 2, stds 1 and 2 in both epochs; T = [[1, 0], [-1, 2]].
    const before = new Float32Array([1, 3, 5, /* band 1 */ 2, 2, 2]);
    const after = new Float32Array([2, 2, 9, /* band 1 */ 2, 6, 0]);
    const valid = new Uint8Array([1, 1, 0]);
    const out = new Float32Array(3).fill(-1);
    whitenedChiScore(before, after, 3, 1, 2, valid, f64([1, 2]), f64([1, 2]), f64([1, 2]), f64([1, 2]), f64([1, 0, -1, 2]), new Float32Array(2), out);
    // pixel 0: d = (1 − 0, 0 − 0) = (1, 0) → f = (1, −1) → Z = 2 → sqrt(1)
    // pixel 1: d = (1 − 2, 2 − 0) = (−1, 2) → f = (−1, 1 + 4) → Z = 26 → sqrt(13)
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(Math.sqrt(13), 6);
    expect(out[2]).toBe(0);
  });

  it('matches the float64 reference on random inputs within float32 rounding (5 bands)', () => {
    const rand = mulberry32(11);
    const p = 5;
    const [w, h] = [41, 13];
    const n = w * h;
    const before = new Float32Array(n * p).map(() => Math.round(rand() * 4000));
    const after = new Float32Array(n * p).map(() => Math.round(rand() * 4000));
    const valid = new Uint8Array(n).map(() => (rand() < 0.9 ? 1 : 0));
    const stat = (scale: number) => Array.from({ length: p }, () => scale * (0.5 + rand()));
    const [bm, bs, am, as] = [stat(2000), stat(500), stat(2000), stat(500)];
    const t = Array.from({ length: p * p }, (_, i) => (i % p <= Math.floor(i / p) ? rand() - 0.3 : 0));
    const out = new Float32Array(n);
    whitenedChiScore(before, after, w, h, p, valid, f64(bm), f64(bs), f64(am), f64(as), f64(t), new Float32Array(p), out);
    const ref = reference(before, after, n, p, valid, bm, bs, am, as, t);
    // float32 arithmetic: relative error within a few units in the last place of the sums
    for (let i = 0; i < n; i++) expect(Math.abs(out[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, ref[i]!));
  });

  it('reads only the lower triangle of the map', () => {
    const rand = mulberry32(3);
    const p = 4;
    const n = 64;
    const before = new Float32Array(n * p).map(() => rand() * 1000);
    const after = new Float32Array(n * p).map(() => rand() * 1000);
    const valid = new Uint8Array(n).fill(1);
    const ones = f64([1, 1, 1, 1]);
    const zeros = f64([0, 0, 0, 0]);
    const lower = Float64Array.from({ length: p * p }, (_, i) => (i % p <= Math.floor(i / p) ? rand() : 0));
    const full = lower.map((v, i) => (i % p > Math.floor(i / p) ? 1e6 * (rand() - 0.5) : v));
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    whitenedChiScore(before, after, 8, 8, p, valid, zeros, ones, zeros, ones, lower, new Float32Array(p), a);
    whitenedChiScore(before, after, 8, 8, p, valid, zeros, ones, zeros, ones, full, new Float32Array(p), b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('rejects short buffers, naming the argument', () => {
    const p = 2;
    const n = 6;
    const planes = () => new Float32Array(n * p);
    const stats = () => new Float64Array(p);
    const call = (overrides: { before?: Float32Array; afterStd?: Float64Array; whiten?: Float64Array }) =>
      whitenedChiScore(overrides.before ?? planes(), planes(), 3, 2, p, new Uint8Array(n), stats(), stats(), stats(), overrides.afterStd ?? stats(), overrides.whiten ?? new Float64Array(p * p), new Float32Array(p), new Float32Array(n));
    expect(() => call({})).not.toThrow();
    expect(() => call({ before: new Float32Array(n * p - 1) })).toThrow(/^before has length 11/);
    expect(() => call({ afterStd: new Float64Array(1) })).toThrow(/^afterStd has length 1/);
    expect(() => call({ whiten: new Float64Array(3) })).toThrow(/^whiten has length 3/);
  });

  it('is the two-epoch chi score of a = T·diag(1/σ_before), b = T·diag(1/σ_after) with unit variances', () => {
    // The identity the detector relies on (isfa.ts): the same statistic as madChiScore's general form.
    const rand = mulberry32(5);
    const p = 3;
    const n = 200;
    const before = new Float32Array(n * p).map(() => Math.round(rand() * 3000));
    const after = new Float32Array(n * p).map(() => Math.round(rand() * 3000));
    const valid = new Uint8Array(n).fill(1);
    const [bm, bs, am, as] = [[900, 1100, 1500], [200, 300, 250], [1000, 1000, 1400], [220, 280, 260]];
    const t = [0.9, 0, 0, -0.4, 1.1, 0, -0.2, -0.3, 1.3];
    const a = Float64Array.from(t, (v, i) => v / bs[i % p]!);
    const b = Float64Array.from(t, (v, i) => v / as[i % p]!);
    const whitened = new Float32Array(n);
    const general = new Float32Array(n);
    whitenedChiScore(before, after, n, 1, p, valid, f64(bm), f64(bs), f64(am), f64(as), f64(t), new Float32Array(p), whitened);
    madChiScore(before, after, n, 1, p, valid, f64(bm), f64(am), a, b, f64([1, 1, 1]), new Float64Array(2 * p), general);
    for (let i = 0; i < n; i++) expect(whitened[i]).toBeCloseTo(general[i]!, 4);
  });
});
