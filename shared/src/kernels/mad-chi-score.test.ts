import { describe, expect, it } from 'vitest';
import { madChiScore } from './mad-chi-score.js';
import { mulberry32 } from './test-random.js';

/** Straightforward reference: MAD variates by explicit sums, per pixel. */
function reference(before: Float32Array, after: Float32Array, n: number, p: number, valid: Uint8Array, mb: number[], ma: number[], a: number[], b: number[], v: number[]): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 1) continue;
    let z = 0;
    for (let k = 0; k < p; k++) {
      let u = 0;
      let w = 0;
      for (let j = 0; j < p; j++) {
        u += a[k * p + j]! * (before[j * n + i]! - mb[j]!);
        w += b[k * p + j]! * (after[j * n + i]! - ma[j]!);
      }
      z += ((u - w) * (u - w)) / v[k]!;
    }
    out[i] = Math.sqrt(z / p);
  }
  return out;
}

describe('madChiScore', () => {
  it('computes sqrt(Σ MAD²/var / p) on a hand-computed 2-band example, 0 where invalid', () => {
    // 3 pixels, 2 bands, planar. a = identity, b = [[2,0],[0,1]], means 1 and 2, variances 4 and 1.
    const before = new Float32Array([1, 3, 5, /* band 1 */ 2, 2, 2]);
    const after = new Float32Array([2, 2, 9, /* band 1 */ 2, 4, 0]);
    const valid = new Uint8Array([1, 1, 0]);
    const out = new Float32Array(3).fill(-1);
    madChiScore(before, after, 3, 1, 2, valid, Float64Array.from([1, 2]), Float64Array.from([1, 2]), Float64Array.from([1, 0, 0, 1]), Float64Array.from([2, 0, 0, 1]), Float64Array.from([1 / 4, 1]), new Float64Array(4), out);
    // pixel 0: x-m = (0, 0); y-m = (1, 0) → MAD = (0 - 2, 0 - 0) = (-2, 0) → Z = 4/4 = 1 → sqrt(1/2)
    // pixel 1: x-m = (2, 0); y-m = (1, 2) → MAD = (2 - 2, 0 - 2) = (0, -2) → Z = 4 → sqrt(2)
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT2, 6);
    expect(out[2]).toBe(0);
  });

  it('matches the reference on random inputs (4 bands)', () => {
    const rand = mulberry32(7);
    const p = 4;
    const w = 37;
    const h = 11;
    const n = w * h;
    const before = new Float32Array(n * p).map(() => rand() * 1000);
    const after = new Float32Array(n * p).map(() => rand() * 1000);
    const valid = new Uint8Array(n).map(() => (rand() < 0.9 ? 1 : 0));
    const mb = [1, 2, 3, 4].map((k) => k * 100);
    const ma = [4, 3, 2, 1].map((k) => k * 90);
    const a = Array.from({ length: p * p }, () => rand() - 0.5);
    const b = Array.from({ length: p * p }, () => rand() - 0.5);
    const v = [0.1, 0.5, 1, 2];
    const out = new Float32Array(n);
    madChiScore(before, after, w, h, p, valid, Float64Array.from(mb), Float64Array.from(ma), Float64Array.from(a), Float64Array.from(b), Float64Array.from(v.map((x) => 1 / x)), new Float64Array(2 * p), out);
    const ref = reference(before, after, n, p, valid, mb, ma, a, b, v);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(ref[i]!, 3);
  });
});
