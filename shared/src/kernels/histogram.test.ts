import { describe, expect, it } from 'vitest';
import { accumulateHistogram } from './histogram.js';
import { referenceHistogram } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';

describe('accumulateHistogram', () => {
  it('bins by floor((v − min)/(max − min)·bins), clamps outside values, skips NaN and invalid', () => {
    const values = new Float32Array([-1, 0, 0.24, 0.25, 0.5, 0.99, 1, 2, NaN, 0.75, 0.3]);
    const valid = new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const hist = new Float64Array(4);
    accumulateHistogram(values, valid, values.length, 0, 1, hist);
    // bin 0: −1 (below), 0, 0.24 | bin 1: 0.25 | bin 2: 0.5 | bin 3: 0.99, 1 (= max), 2, 0.75
    expect(Array.from(hist)).toEqual([3, 1, 1, 4]);
  });

  it('puts ±Infinity in the end bins', () => {
    const hist = new Float64Array(3);
    accumulateHistogram(new Float32Array([-Infinity, Infinity, 5]), new Uint8Array([1, 1, 1]), 3, 0, 9, hist);
    expect(Array.from(hist)).toEqual([1, 1, 1]);
  });

  it('works with a negative range and a single bin', () => {
    const hist = new Float64Array([10]);
    accumulateHistogram(new Float32Array([-3, -2.5, 7]), new Uint8Array([1, 1, 1]), 3, -3, -2, hist);
    expect(Array.from(hist)).toEqual([13]);
    const hist5 = new Float64Array(5);
    // width 0.2 per bin over [−3, −2)
    accumulateHistogram(new Float32Array([-3, -2.5, -2.1, -2.0001]), new Uint8Array([1, 1, 1, 1]), 4, -3, -2, hist5);
    expect(Array.from(hist5)).toEqual([1, 0, 1, 0, 2]);
  });

  it('reads only `length` values and adds to existing counts', () => {
    const hist = new Float64Array([5, 0]);
    accumulateHistogram(new Float32Array([0.1, 0.9, 0.9]), new Uint8Array([1, 1, 1]), 2, 0, 1, hist);
    expect(Array.from(hist)).toEqual([6, 1]);
    accumulateHistogram(new Float32Array([0.9]), new Uint8Array([1]), 1, 0, 1, hist);
    expect(Array.from(hist)).toEqual([6, 2]);
  });

  it('counts only valid[i] === 1', () => {
    const hist = new Float64Array(1);
    accumulateHistogram(new Float32Array([1, 1, 1]), new Uint8Array([1, 2, 255]), 3, 0, 2, hist);
    expect(Array.from(hist)).toEqual([1]);
  });

  it('rejects bad ranges and short buffers', () => {
    const v = new Float32Array(2);
    const m = new Uint8Array(2);
    expect(() => accumulateHistogram(v, m, 2, 1, 1, new Float64Array(4))).toThrow(RangeError);
    expect(() => accumulateHistogram(v, m, 2, 0, NaN, new Float64Array(4))).toThrow(RangeError);
    expect(() => accumulateHistogram(v, m, 3, 0, 1, new Float64Array(4))).toThrow(RangeError);
    expect(() => accumulateHistogram(v, m, 2, 0, 1, new Float64Array(0))).toThrow(RangeError);
  });

  it('matches the reference on seeded random values', () => {
    const random = mulberry32(4242);
    for (let trial = 0; trial < 50; trial++) {
      const length = randomInt(random, 0, 500);
      const bins = randomInt(random, 1, 64);
      const min = random() * 10 - 5;
      const max = min + 0.01 + random() * 10;
      const values = new Float32Array(length + 3).map(() => {
        const r = random();
        return r < 0.02 ? NaN : min - 1 + random() * (max - min + 2);
      });
      const valid = new Uint8Array(length + 3).map(() => (random() < 0.9 ? 1 : 0));
      const hist = new Float64Array(bins);
      accumulateHistogram(values, valid, length, min, max, hist);
      expect(Array.from(hist)).toEqual(referenceHistogram(values, valid, length, min, max, bins));
    }
  });
});
