import { describe, expect, it } from 'vitest';
import { accumulateHistogram } from '../kernels/histogram.js';
import { otsuThreshold } from '../kernels/otsu.js';
import { mulberry32 } from '../kernels/test-random.js';
import { rosinThreshold } from '../kernels/unimodal-threshold.js';
import { SCORE_HISTOGRAM } from './parameters.js';
import { BULK_THRESHOLD, pairThreshold } from './pair-threshold.js';

const { min, max, bins } = SCORE_HISTOGRAM;

/** Histogram of `n` scores: a skewed unchanged mode of median about 1 and, optionally, a changed group. */
function scores(seed: number, n: number, changedShare: number, changedMean = 5): Float64Array {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // a change vector's length over four bands of noise (chi with 4 degrees of freedom), over its median (1.83)
    values[i] = random() < changedShare ? changedMean + 0.8 * gauss() : Math.hypot(gauss(), gauss(), gauss(), gauss()) / 1.83;
  }
  const h = new Float64Array(bins);
  accumulateHistogram(values, new Uint8Array(n).fill(1), n, min, max, h);
  return h;
}

describe('pairThreshold', () => {
  it("keeps Otsu's split where the pair holds a distinct changed group", () => {
    const h = scores(1, 100_000, 0.05);
    const otsu = otsuThreshold(h, min, max);
    expect(otsu).toBeGreaterThanOrEqual(BULK_THRESHOLD);
    expect(pairThreshold(h, true)).toEqual({ threshold: otsu });
  });

  it("takes Rosin's split, recording Otsu's, where Otsu's lies in the bulk of a spectral score", () => {
    const h = scores(2, 100_000, 0);
    const otsu = otsuThreshold(h, min, max);
    expect(otsu).toBeLessThan(BULK_THRESHOLD);
    const rosin = rosinThreshold(h, min, max);
    expect(rosin).toBeGreaterThan(otsu);
    expect(pairThreshold(h, true)).toEqual({ threshold: rosin, otsuSplit: otsu });
  });

  it("never lowers Otsu's split", () => {
    // a flat tail up to the histogram's end: Rosin's corner is the peak, below Otsu's split
    const h = new Float64Array(bins);
    h[40] = 1000;
    for (let k = 41; k < 76; k++) h[k] = 900;
    const otsu = otsuThreshold(h, min, max);
    expect(otsu).toBeLessThan(BULK_THRESHOLD);
    expect(rosinThreshold(h, min, max)).toBeLessThan(otsu);
    expect(pairThreshold(h, true)).toEqual({ threshold: otsu, otsuSplit: otsu });
  });

  it('leaves a structural score to Otsu, wherever its split lies', () => {
    const h = scores(3, 100_000, 0);
    expect(pairThreshold(h, false)).toEqual({ threshold: otsuThreshold(h, min, max) });
  });
});
