import { describe, expect, it } from 'vitest';
import { accumulateBandStats, finishBandStats } from './band-stats.js';
import { referenceBandStats } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';

describe('accumulateBandStats / finishBandStats', () => {
  it('accumulates count, sum, sum of squares over valid pixels only (3×2, 2 bands)', () => {
    const planar = new Float32Array([
      // band 0
      1, 2, 3,
      4, NaN, 6,
      // band 1
      10, 10, 10,
      -5, 99, 5,
    ]);
    const valid = new Uint8Array([1, 1, 0, 1, 0, 1]); // NaN pixel and (2,0) excluded
    const acc = new Float64Array(6);
    accumulateBandStats(planar, 3, 2, 2, valid, acc);
    // band 0: 1,2,4,6 → n 4, sum 13, sumsq 1+4+16+36 = 57
    // band 1: 10,10,-5,5 → n 4, sum 20, sumsq 100+100+25+25 = 250
    expect(Array.from(acc)).toEqual([4, 13, 57, 4, 20, 250]);

    const { mean, std, count } = finishBandStats(acc, 2);
    expect(Array.from(count)).toEqual([4, 4]);
    expect(mean[0]).toBe(3.25);
    expect(mean[1]).toBe(5);
    // band 0 variance: 57/4 − 3.25² = 14.25 − 10.5625 = 3.6875
    expect(std[0]).toBeCloseTo(Math.sqrt(3.6875), 14);
    // band 1 variance: 250/4 − 25 = 37.5
    expect(std[1]).toBeCloseTo(Math.sqrt(37.5), 14);
  });

  it('counts only valid[i] === 1 (other nonzero values are not "valid")', () => {
    const planar = new Float32Array([1, 2, 3, 4]);
    const acc = new Float64Array(3);
    accumulateBandStats(planar, 2, 2, 1, new Uint8Array([1, 2, 255, 1]), acc);
    expect(Array.from(acc)).toEqual([2, 5, 17]);
  });

  it('adds to what acc already holds (tile by tile)', () => {
    const acc = new Float64Array(3);
    accumulateBandStats(new Float32Array([2, 4]), 2, 1, 1, new Uint8Array([1, 1]), acc);
    accumulateBandStats(new Float32Array([6, 100]), 1, 2, 1, new Uint8Array([1, 0]), acc);
    expect(Array.from(acc)).toEqual([3, 12, 56]);
    const { mean, std } = finishBandStats(acc, 1);
    expect(mean[0]).toBe(4);
    expect(std[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
  });

  it('count 0 gives mean 0 and std 0; a constant band gives std exactly 0', () => {
    const acc = new Float64Array(6);
    accumulateBandStats(new Float32Array([7, 7, 7, 7, 1, 2, 3, 4]), 2, 2, 2, new Uint8Array([1, 1, 1, 1]), acc);
    acc[3] = 0;
    acc[4] = 0;
    acc[5] = 0;
    const { mean, std, count } = finishBandStats(acc, 2);
    expect(Array.from(mean)).toEqual([7, 0]);
    expect(Array.from(std)).toEqual([0, 0]);
    expect(Array.from(count)).toEqual([4, 0]);
  });

  it('keeps precision with a large offset (1e6 ± 1 over 100×100 pixels → std exactly 1)', () => {
    const width = 100;
    const planar = new Float32Array(width * width);
    for (let i = 0; i < planar.length; i++) planar[i] = i % 2 === 0 ? 1e6 - 1 : 1e6 + 1;
    const acc = new Float64Array(3);
    accumulateBandStats(planar, width, width, 1, new Uint8Array(planar.length).fill(1), acc);
    const { mean, std } = finishBandStats(acc, 1);
    expect(mean[0]).toBe(1e6);
    expect(std[0]).toBe(1);
  });

  it('is deterministic: same tiles in the same order give bit-identical accumulators', () => {
    const random = mulberry32(7);
    const planar = new Float32Array(3 * 37 * 29).map(() => random() * 1e4);
    const valid = new Uint8Array(37 * 29).map(() => (random() < 0.9 ? 1 : 0));
    const a = new Float64Array(9);
    const b = new Float64Array(9);
    accumulateBandStats(planar, 37, 29, 3, valid, a);
    accumulateBandStats(planar, 37, 29, 3, valid, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('sums each band in the documented order whatever the band count (bands swept four at a time, the rest one by one)', () => {
    // The order the accumulator's bits depend on: per band, row partials in pixel order, added row by row.
    const bandByBand = (planar: Float32Array, width: number, height: number, bands: number, valid: Uint8Array, acc: Float64Array) => {
      for (let b = 0; b < bands; b++) {
        for (let y = 0; y < height; y++) {
          let n = 0;
          let s = 0;
          let q = 0;
          for (let x = 0; x < width; x++) {
            const i = y * width + x;
            if (valid[i] !== 1) continue;
            const v = planar[b * width * height + i]!;
            n++;
            s += v;
            q += v * v;
          }
          acc[3 * b] = acc[3 * b]! + n;
          acc[3 * b + 1] = acc[3 * b + 1]! + s;
          acc[3 * b + 2] = acc[3 * b + 2]! + q;
        }
      }
    };
    const random = mulberry32(11);
    for (let bands = 1; bands <= 9; bands++) {
      const [width, height] = [randomInt(random, 1, 40), randomInt(random, 1, 30)];
      // fractional values, so a different order of additions would show in the bits
      const planar = new Float32Array(bands * width * height).map(() => (random() < 0.05 ? Number.NaN : 1e4 * random() + 1 / 3));
      const valid = new Uint8Array(width * height).map(() => (random() < 0.8 ? 1 : random() < 0.5 ? 2 : 0));
      for (let i = 0; i < width * height; i++) for (let b = 0; b < bands; b++) if (Number.isNaN(planar[b * width * height + i]!)) valid[i] = 0;
      const start = Float64Array.from({ length: 3 * bands }, (_, k) => (k % 3 === 0 ? 5 : 1000 * random()));
      const got = Float64Array.from(start);
      const want = Float64Array.from(start);
      accumulateBandStats(planar, width, height, bands, valid, got);
      bandByBand(planar, width, height, bands, valid, want);
      expect(Array.from(got), `${bands} bands`).toEqual(Array.from(want));
    }
  });

  it('rejects short buffers', () => {
    expect(() => accumulateBandStats(new Float32Array(4), 2, 2, 2, new Uint8Array(4), new Float64Array(6))).toThrow(
      RangeError,
    );
    expect(() => accumulateBandStats(new Float32Array(8), 2, 2, 2, new Uint8Array(4), new Float64Array(5))).toThrow(
      RangeError,
    );
    expect(() => finishBandStats(new Float64Array(5), 2)).toThrow(RangeError);
  });

  it('matches a two-pass reference on seeded random tiles split into two accumulations', () => {
    const random = mulberry32(99);
    for (let trial = 0; trial < 30; trial++) {
      const width = randomInt(random, 1, 40);
      const height = randomInt(random, 2, 30);
      const bands = randomInt(random, 1, 4);
      const offset = random() < 0.5 ? 0 : 5000;
      const planar = new Float32Array(bands * width * height).map(() => offset + random() * 2000 - 1000);
      const valid = new Uint8Array(width * height).map(() => (random() < 0.8 ? 1 : 0));

      // split rows into two tiles, accumulated separately
      const split = randomInt(random, 1, height - 1);
      const acc = new Float64Array(3 * bands);
      for (const [y0, y1] of [
        [0, split],
        [split, height],
      ]) {
        const rows = y1 - y0;
        const tile = new Float32Array(bands * width * rows);
        for (let b = 0; b < bands; b++) {
          tile.set(planar.subarray(b * width * height + y0 * width, b * width * height + y1 * width), b * width * rows);
        }
        accumulateBandStats(tile, width, rows, bands, valid.subarray(y0 * width, y1 * width), acc);
      }
      const got = finishBandStats(acc, bands);
      const want = referenceBandStats(planar, width, height, bands, valid);
      for (let b = 0; b < bands; b++) {
        expect(got.count[b]).toBe(want.count[b]);
        expect(Math.abs(got.mean[b] - want.mean[b])).toBeLessThanOrEqual(1e-9 * (Math.abs(want.mean[b]) + 1));
        expect(Math.abs(got.std[b] - want.std[b])).toBeLessThanOrEqual(1e-7 * (want.std[b] + 1));
      }
    }
  });
});
