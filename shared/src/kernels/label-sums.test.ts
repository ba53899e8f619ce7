import { describe, expect, it } from 'vitest';
import { accumulateLabelSums } from './label-sums.js';
import { mulberry32 } from './test-random.js';

describe('accumulateLabelSums', () => {
  it('equals a pixel-by-pixel reference on runs of labels, background, non-finite values and negative values', () => {
    const rand = mulberry32(53);
    for (let trial = 0; trial < 20; trial++) {
      const pixels = 1 + Math.floor(rand() * 3000);
      const n = 1 + Math.floor(rand() * 9);
      const labels = new Int32Array(pixels);
      const values = new Float32Array(pixels);
      let label = 0;
      for (let i = 0; i < pixels; i++) {
        if (rand() < 0.1) label = Math.floor(rand() * (n + 1)); // runs, some of background (0)
        labels[i] = label;
        const r = rand();
        values[i] = r < 0.03 ? NaN : r < 0.05 ? Infinity : (rand() - 0.5) * 4;
      }
      const channels = 3;
      const channel = trial % channels;
      const got = new Float64Array((n + 1) * channels).fill(1.5);
      const want = new Float64Array((n + 1) * channels).fill(1.5);
      accumulateLabelSums(labels, values, pixels, 10_000, channels, channel, got);
      for (let i = 0; i < pixels; i++) {
        const v = values[i]!;
        if (labels[i]! > 0 && Number.isFinite(v)) want[labels[i]! * channels + channel]! += Math.round(v * 10_000);
      }
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('rounds halves up as Math.round does, at ties, beyond int32 and where x + 0.5 is inexact', () => {
    // one label per value, so each sum is one rounded value
    const values = Float32Array.of(0.5, -0.5, 1.5, -1.5, -2.5, 2.5, 0.49999997, -0.49999997, 3e9, -3e9, 2147483647, -2147483648, 1e30, -1e30, 0.25, -0.75);
    const n = values.length;
    const labels = Int32Array.from({ length: n }, (_, i) => i + 1);
    for (const quantum of [1, 3, 10_000, 1 / 3]) {
      const got = new Float64Array(n + 1);
      accumulateLabelSums(labels, values, n, quantum, 1, 0, got);
      expect(Array.from(got.subarray(1))).toEqual(Array.from(values, (v) => Math.round(v * quantum) + 0));
    }
  });

  it('names the label that does not fit in the sums', () => {
    expect(() => accumulateLabelSums(Int32Array.of(0, 3), Float32Array.of(1, 1), 2, 1, 1, 0, new Float64Array(3))).toThrow(/label 3 needs 4/);
  });
});
