import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from './test-random.js';
import { selectKth } from './select-kth.js';

describe('selectKth', () => {
  it('gives the value sorting puts at index k, on random, repetitive, sorted and reversed inputs', () => {
    const random = mulberry32(17);
    for (let trial = 0; trial < 400; trial++) {
      const n = randomInt(random, 1, 3000);
      const kind = trial % 5;
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        values[i] =
          kind === 0 ? Math.fround(random() * 1e4 - 5e3) : kind === 1 ? randomInt(random, 0, 6) : kind === 2 ? i : kind === 3 ? n - i : Math.fround(Math.sin(i) * 100);
      }
      const sorted = Float32Array.from(values).sort();
      const k = randomInt(random, 0, n - 1);
      const work = Float32Array.from(values);
      expect(selectKth(work, k), `trial ${trial}, n ${n}, k ${k}`).toBe(sorted[k]);
      // partitioned around k, a permutation of the input
      for (let i = 0; i < k; i++) expect(work[i]! <= work[k]!).toBe(true);
      for (let i = k + 1; i < n; i++) expect(work[i]! >= work[k]!).toBe(true);
      expect(Float32Array.from(work).sort()).toEqual(sorted);
      // a larger order statistic, selected next within [k, n)
      const k2 = randomInt(random, k, n - 1);
      expect(selectKth(work, k2, k, n)).toBe(sorted[k2]);
    }
  });

  it('refuses k outside the range', () => {
    expect(() => selectKth(new Float32Array(3), 3)).toThrow(RangeError);
    expect(() => selectKth(new Float32Array(3), 0, 1, 3)).toThrow(RangeError);
  });
});
