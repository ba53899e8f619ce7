import { describe, expect, it } from 'vitest';
import { loopedMoment, loopedReweight, MAX_GENERATED_BANDS, momentStep, reweightStep } from './isfa-steps.js';
import { chiSquareSurvivalFor } from './irmad/chi-square.js';
import { mulberry32 } from '../kernels/test-random.js';

/** Random z-scored differences with some zero weights, unusable samples and extreme values. */
function inputs(p: number, n: number, seed: number) {
  const rand = mulberry32(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = (rand() - 0.5) * (i % 97 === 0 ? 400 : 6);
  const weight = new Float64Array(n);
  const usable = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    usable[k] = k % 13 === 5 ? 0 : 1;
    weight[k] = usable[k] === 0 || k % 7 === 3 ? 0 : rand();
  }
  // a lower-triangular factor with a positive diagonal
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) L[i * p + j] = rand() - 0.5;
    L[i * p + i] = 0.5 + rand();
  }
  return { d, weight, usable, L };
}

describe('ISFA steps', () => {
  const n = 1500;
  for (let p = 1; p <= MAX_GENERATED_BANDS + 1; p++) {
    it(`${p} band(s): the generated moment and reweight steps equal the looped ones bit for bit`, () => {
      const { d, weight, usable, L } = inputs(p, n, 40 + p);
      const got = new Float64Array(p * p).fill(7); // stale values must not leak into the result
      const want = new Float64Array(p * p);
      const sumGot = momentStep(p)(d, weight, 100, 1400, got);
      const sumWant = loopedMoment(p)(d, weight, 100, 1400, want);
      expect(sumGot).toBe(sumWant);
      expect(Array.from(got)).toEqual(Array.from(want));
      for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) expect(got[i * p + j]).toBe(0);
      expect(got[0]).toBeGreaterThan(0);

      const survival = chiSquareSurvivalFor(p);
      const wGot = Float64Array.from(weight);
      const wWant = Float64Array.from(weight);
      reweightStep(p)(d, wGot, usable, n, L, survival);
      loopedReweight(p)(d, wWant, usable, n, L, survival);
      expect(Array.from(wGot)).toEqual(Array.from(wWant));
      // unusable samples keep their weight; the others are probabilities, some near 0 and some near 1
      for (let k = 0; k < n; k++) if (usable[k] === 0) expect(wGot[k]).toBe(weight[k]);
      expect(Math.min(...wGot.filter((_, k) => usable[k] === 1))).toBeLessThan(0.01);
      expect(Math.max(...wGot)).toBeGreaterThan(0.5);
    });
  }

  it('the looped reweight is |L⁻¹ d|² by back-substitution', () => {
    const p = 2;
    const L = Float64Array.of(2, 0, 1, 4); // L = [[2, 0], [1, 4]]
    const d = Float64Array.of(4, 9); // y = (2, (9 − 2)/4 = 1.75)
    const weight = new Float64Array(1);
    loopedReweight(p)(d, weight, Uint8Array.of(1), 1, L, (z) => z);
    expect(weight[0]).toBe(4 + 1.75 * 1.75);
  });
});
