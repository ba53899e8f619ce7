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

  it('names the label that does not fit in the sums', () => {
    expect(() => accumulateLabelSums(Int32Array.of(0, 3), Float32Array.of(1, 1), 2, 1, 1, 0, new Float64Array(3))).toThrow(/label 3 needs 4/);
  });
});
