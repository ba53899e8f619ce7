import { describe, expect, it } from 'vitest';
import { bareSoilIndex, chroma, excessGreen, normalizedDifference, zBrightness } from './spectral-indices.js';
import { accumulateLabelSums } from './label-sums.js';
import { mulberry32, randomInt } from './test-random.js';

function randomPlanar(seed: number, bands: number, pixels: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(bands * pixels);
  for (let i = 0; i < out.length; i++) out[i] = random() < 0.02 ? 0 : random() < 0.01 ? NaN : randomInt(random, 0, 10000);
  return out;
}

/** Float32 result of a double-precision formula, NaN where undefined. */
const f32 = (v: number) => (Number.isFinite(v) ? Math.fround(v) : NaN);

describe('spectral indices', () => {
  const pixels = 3000;
  const planar = randomPlanar(11, 5, pixels);
  const at = (b: number, i: number) => planar[b * pixels + i]!;

  it('normalizedDifference: NDVI of a crop, NaN on a zero denominator, naive reference on random samples', () => {
    const out = new Float32Array(2);
    normalizedDifference(new Float32Array([3500, 0, 500, 0]), 2, 0, 1, out);
    expect(out[0]).toBeCloseTo(0.75, 6);
    expect(out[1]).toBeNaN();
    const all = new Float32Array(pixels);
    normalizedDifference(planar, pixels, 3, 2, all);
    for (let i = 0; i < pixels; i++) expect(all[i]).toEqual(f32((at(3, i) - at(2, i)) / (at(3, i) + at(2, i))));
  });

  it('bareSoilIndex matches its formula', () => {
    const out = new Float32Array(pixels);
    bareSoilIndex(planar, pixels, 4, 2, 3, 0, out);
    for (let i = 0; i < pixels; i++) {
      const up = Math.fround(at(4, i) + at(2, i));
      const down = Math.fround(at(3, i) + at(0, i));
      expect(out[i]).toEqual(f32((up - down) / (up + down)));
    }
  });

  it('excessGreen and chroma: green leaf vs grey concrete', () => {
    const leaf = new Float32Array([500, 900, 400]); // red, green, blue of one pixel
    const grey = new Float32Array([2000, 2000, 1900]);
    const out = new Float32Array(1);
    excessGreen(leaf, 1, 0, 1, 2, out);
    expect(out[0]).toBeCloseTo((1800 - 900) / 1800, 6);
    excessGreen(grey, 1, 0, 1, 2, out);
    expect(Math.abs(out[0]!)).toBeLessThan(0.05);
    chroma(leaf, 1, 0, 1, 2, out);
    expect(out[0]).toBeCloseTo(500 / 900, 6);
    chroma(grey, 1, 0, 1, 2, out);
    expect(out[0]).toBeCloseTo(0.05, 6);
    const all = new Float32Array(pixels);
    chroma(planar, pixels, 2, 1, 0, all);
    for (let i = 0; i < pixels; i++) {
      const v = [at(2, i), at(1, i), at(0, i)];
      const max = Math.max(...v);
      expect(all[i]).toEqual(Number.isNaN(max) ? NaN : max > 0 ? f32((max - Math.min(...v)) / max) : NaN);
    }
  });

  it('zBrightness is the mean z-score of the bands', () => {
    const out = new Float32Array(pixels);
    zBrightness(planar, pixels, [0, 1, 2], [5000, 4000, 3000], [2000, 1000, 500], out);
    for (let i = 0; i < 200; i++) {
      const expected = ((at(0, i) - 5000) / 2000 + (at(1, i) - 4000) / 1000 + (at(2, i) - 3000) / 500) / 3;
      if (Number.isNaN(expected)) expect(out[i]).toBeNaN();
      else expect(out[i]).toBeCloseTo(expected, 4);
    }
  });
});

describe('accumulateLabelSums', () => {
  it('adds quantised values per label, skipping background and non-finite values, exactly', () => {
    const labels = new Int32Array([0, 1, 1, 2, 2, 2]);
    const values = new Float32Array([9, 0.12344, -0.5, NaN, 0.25, 1]);
    const sums = new Float64Array(3 * 2);
    accumulateLabelSums(labels, values, 6, 10000, 2, 1, sums);
    expect(Array.from(sums)).toEqual([0, 0, 0, 1234 - 5000, 0, 2500 + 10000]);
  });

  it('gives the same sums whichever way the pixels are split (exact merging)', () => {
    const random = mulberry32(5);
    const pixels = 4096;
    const labels = Int32Array.from({ length: pixels }, () => randomInt(random, 0, 7));
    const values = Float32Array.from({ length: pixels }, () => random() * 2 - 1);
    const whole = new Float64Array(8);
    accumulateLabelSums(labels, values, pixels, 10000, 1, 0, whole);
    const parts = new Float64Array(8);
    for (let start = 0; start < pixels; start += 1000) {
      const end = Math.min(pixels, start + 1000);
      const part = new Float64Array(8);
      accumulateLabelSums(labels.subarray(start, end), values.subarray(start, end), end - start, 10000, 1, 0, part);
      part.forEach((v, k) => (parts[k] = parts[k]! + v));
    }
    expect(Array.from(parts)).toEqual(Array.from(whole));
    const naive = new Float64Array(8);
    for (let i = 0; i < pixels; i++) if (labels[i]! > 0) naive[labels[i]!] = naive[labels[i]!]! + Math.round(values[i]! * 10000);
    expect(Array.from(whole)).toEqual(Array.from(naive));
  });

  it('rejects a label beyond the sums', () => {
    expect(() => accumulateLabelSums(new Int32Array([3]), new Float32Array([1]), 1, 1, 1, 0, new Float64Array(2))).toThrow(RangeError);
  });
});
