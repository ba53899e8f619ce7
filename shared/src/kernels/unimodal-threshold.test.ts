import { describe, expect, it } from 'vitest';
import { accumulateHistogram } from './histogram.js';
import { otsuThreshold } from './otsu.js';
import { referenceRosin } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';
import { rosinThreshold } from './unimodal-threshold.js';

const hist = (counts: number[]): Float64Array => Float64Array.from(counts);

describe('rosinThreshold', () => {
  it('splits at the bin farthest below the line from the peak to the end of the tail (hand-computed)', () => {
    // peak bin 1 (10), last filled bin 5, line to (6, 0): L(k) = 10·(6 − k)/5
    // gaps: k=2: 8 − 3 = 5 ← max; k=3: 6 − 2 = 4; k=4: 4 − 1 = 3; k=5: 2 − 1 = 1
    // k = 2 → t = 0 + 3·0.5
    expect(rosinThreshold(hist([2, 10, 3, 2, 1, 1, 0, 0]), 0, 4)).toBe(1.5);
  });

  it('takes a filled last bin (values at or above max) as the tail end, the line reaching 0 past it', () => {
    // peak 0 (8); last bin filled → line to (4, 0): L = 8, 6, 4, 2; gaps k=1: 6 − 1 = 5 ← max, k=2: 4 − 1, k=3: 2 − 1
    expect(rosinThreshold(hist([8, 1, 1, 1]), 0, 4)).toBe(2);
  });

  it('breaks ties towards the smallest bin, and gives the peak edge where the tail never falls below the line', () => {
    // line from (0, 4) to (4, 0): L = 3, 2, 1 at k = 1..3; h = 1, 0, 0 → gaps 2, 2, 1: k = 1
    expect(rosinThreshold(hist([4, 1, 0, 1]), 0, 4)).toBe(2);
    // a tail on or above the line: no corner, the peak's upper edge
    expect(rosinThreshold(hist([4, 3, 2, 1]), 0, 4)).toBe(1);
  });

  it('returns max when there is no bin after the peak, or none filled', () => {
    expect(rosinThreshold(hist([0, 0, 0]), 0, 3)).toBe(3);
    expect(rosinThreshold(hist([1, 2, 7]), 0, 3)).toBe(3);
    expect(rosinThreshold(hist([0, 9, 0]), 0, 3)).toBe(3);
    expect(rosinThreshold(hist([]), 2, 5)).toBe(5);
    // non-positive entries count as empty
    expect(rosinThreshold(hist([-3, 10, 0, NaN]), 0, 4)).toBe(4);
  });

  it('puts the split of one skewed mode in its tail, where Otsu cuts through the mode', () => {
    // a unimodal chi-like score: |N(0,1)| + |N(0,1)| (no change class at all)
    const random = mulberry32(2001);
    const n = 200_000;
    const values = new Float32Array(n);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    for (let i = 0; i < n; i++) values[i] = Math.abs(gauss()) + Math.abs(gauss());
    const h = new Float64Array(1024);
    accumulateHistogram(values, new Uint8Array(n).fill(1), n, 0, 16, h);
    const rosin = rosinThreshold(h, 0, 16);
    const otsu = otsuThreshold(h, 0, 16);
    const above = (t: number) => values.filter((v) => v >= t).length / n;
    expect(above(otsu)).toBeGreaterThan(0.3);
    expect(rosin).toBeGreaterThan(otsu);
    expect(above(rosin)).toBeLessThan(0.15);
    expect(above(rosin)).toBeGreaterThan(0.001);
  });

  it('rejects bad ranges', () => {
    expect(() => rosinThreshold(hist([1, 1]), 1, 1)).toThrow(RangeError);
    expect(() => rosinThreshold(hist([1, 1]), 0, NaN)).toThrow(RangeError);
  });

  it('matches the geometric reference on seeded random histograms', () => {
    const random = mulberry32(2083);
    for (let trial = 0; trial < 500; trial++) {
      const bins = randomInt(random, 1, 300);
      const h = new Float64Array(bins);
      const mode = randomInt(random, 0, bins - 1);
      for (let k = 0; k < bins; k++) {
        // a rough mode with a decaying tail, sometimes holes and a filled last bin
        const base = Math.round(1000 * Math.exp(-Math.abs(k - mode) / (1 + 20 * random())) * random());
        h[k] = random() < 0.1 ? 0 : base;
      }
      if (random() < 0.3) h[bins - 1] = randomInt(random, 1, 50);
      expect(rosinThreshold(h, -2, 6)).toBe(referenceRosin(h, -2, 6));
    }
  });
});
