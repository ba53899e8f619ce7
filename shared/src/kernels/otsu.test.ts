import { describe, expect, it } from 'vitest';
import { accumulateHistogram } from './histogram.js';
import { otsuThreshold } from './otsu.js';
import { referenceOtsu } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';

const hist = (counts: number[]): Float64Array => Float64Array.from(counts);

describe('otsuThreshold', () => {
  it('picks the split maximising between-class variance (hand-computed)', () => {
    // levels 0..4, counts [4, 2, 0, 1, 3]; total 10, Σk·h = 17
    // k=0: 4·6·(17/6 − 0)²        = 192.67
    // k=1: 6·4·(15/4 − 2/6)²      = 280.17  ← max
    // k=2: same as k=1 (bin 2 empty) → tie, smallest k wins
    // k=3: 7·3·(12/3 − 5/7)²      = 226.71
    // k = 1 → t = min + 2·binWidth = 0 + 2·2 = 4
    expect(otsuThreshold(hist([4, 2, 0, 1, 3]), 0, 10)).toBe(4);
  });

  it('breaks exact ties towards the smallest k (empty bins between the modes)', () => {
    // k = 2, 3, 4 are exactly tied; k = 2 → t = 3
    expect(otsuThreshold(hist([0, 5, 5, 0, 0, 5, 5, 0]), 0, 8)).toBe(3);
    // symmetric two-spike histogram: k = 0..2 tied → k = 0 → t = −1 + 1·0.5
    expect(otsuThreshold(hist([7, 0, 0, 7]), -1, 1)).toBe(-0.5);
  });

  it('with two bins the threshold is the middle edge', () => {
    expect(otsuThreshold(hist([3, 7]), -1, 1)).toBe(0);
  });

  it('returns max when fewer than two bins are populated', () => {
    expect(otsuThreshold(hist([0, 0, 0, 0]), 0, 1)).toBe(1);
    expect(otsuThreshold(hist([0, 10, 0, 0]), 0, 1)).toBe(1);
    expect(otsuThreshold(hist([12]), 2, 5)).toBe(5);
    expect(otsuThreshold(hist([]), 2, 5)).toBe(5);
    // non-positive entries count as empty
    expect(otsuThreshold(hist([-3, 10, 0]), 0, 3)).toBe(3);
  });

  it('separates a bimodal change score (values ≥ t are the upper class)', () => {
    const random = mulberry32(3);
    const n = 5000;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = i < 4000 ? random() * 1.0 : 3 + random() * 1.0; // [0,1) and [3,4)
    const h = new Float64Array(64);
    accumulateHistogram(values, new Uint8Array(n).fill(1), n, 0, 8, h);
    const t = otsuThreshold(h, 0, 8);
    expect(t).toBeGreaterThanOrEqual(1);
    expect(t).toBeLessThanOrEqual(3);
    // the lower mode ends in bin 7 ([0.875, 1)); ties with the empty bins up to 3 → smallest k = 7
    expect(t).toBe(1);
  });

  it('rejects bad ranges', () => {
    expect(() => otsuThreshold(hist([1, 1]), 1, 1)).toThrow(RangeError);
    expect(() => otsuThreshold(hist([1, 1]), 0, Infinity)).toThrow(RangeError);
  });

  it('matches a brute-force reference on seeded random histograms', () => {
    const random = mulberry32(1979);
    for (let trial = 0; trial < 200; trial++) {
      const bins = randomInt(random, 1, 48);
      const counts = new Float64Array(bins).map(() => (random() < 0.3 ? 0 : randomInt(random, 1, 1000)));
      const min = random() * 4 - 2;
      const max = min + 0.5 + random() * 4;
      expect(otsuThreshold(counts, min, max)).toBe(referenceOtsu(counts, min, max));
    }
  });
});
