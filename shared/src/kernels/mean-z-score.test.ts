import { describe, expect, it } from 'vitest';
import { meanZScore } from './mean-z-score.js';
import { mulberry32 } from './test-random.js';

describe('meanZScore', () => {
  it('equals a naive float32 reference bit for bit (random samples, validity, a band with std 0)', () => {
    const rand = mulberry32(41);
    // 1 to 7 bands, every other trial with a band of std 0: each unrolled form (1 to 4 bands used) and the loop
    for (let trial = 0; trial < 60; trial++) {
      const [w, h, bands] = [1 + Math.floor(rand() * 20), 1 + Math.floor(rand() * 20), 1 + Math.floor(rand() * 7)];
      const n = w * h;
      const samples = Array.from({ length: n * bands }, () => Math.floor(rand() * 4000));
      const planar = trial % 3 === 0 ? Float32Array.from(samples, (v) => v / 7) : trial % 3 === 1 ? Uint8Array.from(samples, (v) => v & 255) : Uint16Array.from(samples);
      const mean = Float64Array.from({ length: bands }, () => rand() * 2000);
      const std = Float64Array.from({ length: bands }, (_, b) => (b === 1 && trial % 2 === 0 ? 0 : 100 + rand() * 500));
      const valid = Uint8Array.from({ length: n }, () => (rand() < 0.8 ? 1 : 0));
      const out = new Float32Array(n);
      meanZScore(planar, w, h, bands, mean, std, valid, out);
      const expected = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 1) continue;
        for (let b = 0; b < bands; b++) if (std[b]! > 0) expected[i] = expected[i]! + (planar[b * n + i]! - mean[b]!) * (1 / std[b]!);
        expected[i] = expected[i]! * (1 / bands);
      }
      expect(out).toEqual(expected);
    }
  });

  it('is 0 on invalid pixels and the mean of the bands z-scores elsewhere', () => {
    const out = new Float32Array(2);
    meanZScore(Float32Array.of(12, 99, 30, 99), 2, 1, 2, Float64Array.of(10, 20), Float64Array.of(2, 5), Uint8Array.of(1, 0), out);
    expect(Array.from(out)).toEqual([(1 + 2) / 2, 0]);
  });

  it('rejects short buffers', () => {
    expect(() => meanZScore(new Float32Array(3), 2, 1, 2, new Float64Array(2), new Float64Array(2), new Uint8Array(2), new Float32Array(2))).toThrow(/planar/);
  });
});
