import { describe, expect, it } from 'vitest';
import { changeVectorMagnitude, ndviDrop } from './change-vector.js';
import { referenceChangeVector, referenceNdviDrop } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';

const f64 = (values: number[]): Float64Array => Float64Array.from(values);

describe('changeVectorMagnitude', () => {
  // 3×2 image, 2 bands. Statistics:
  //   before: band0 mean 10 std 2, band1 mean 100 std 0 (→ contributes 0)
  //   after:  band0 mean 20 std 4, band1 mean 50  std 5
  const before = new Float32Array([
    10, 12, 8, /**/ 10, NaN, 14,
    100, 7, 100, /**/ 100, 100, 3,
  ]);
  const after = new Float32Array([
    20, 28, 20, /**/ 0, 1, 16,
    50, 60, 40, /**/ 50, 50, 45,
  ]);
  const valid = new Uint8Array([1, 1, 1, 0, 0, 1]);

  it('computes the z-scored magnitude by hand-checked values, invalid → 0', () => {
    const out = new Float32Array(6).fill(99);
    changeVectorMagnitude(before, after, 3, 2, 2, valid, f64([10, 100]), f64([2, 0]), f64([20, 50]), f64([4, 5]), out);
    // p0: band0 0 − 0 = 0, band1 0 → 0
    // p1: band0 (28−20)/4 − (12−10)/2 = 1, band1 (60−50)/5 = 2 → sqrt((1+4)/2)
    // p2: band0 0 − (8−10)/2 = 1, band1 (40−50)/5 = −2 → sqrt(2.5)
    // p3, p4: invalid (p4 has a NaN) → 0
    // p5: band0 (16−20)/4 − (14−10)/2 = −3, band1 (45−50)/5 = −1 → sqrt((9+1)/2) = sqrt(5)
    expect(Array.from(out)).toEqual([0, Math.fround(Math.sqrt(2.5)), Math.fround(Math.sqrt(2.5)), 0, 0, Math.fround(Math.sqrt(5))]);
  });

  it('treats NaN and infinite std like 0 (band contributes nothing on that side)', () => {
    const out = new Float32Array(6);
    changeVectorMagnitude(before, after, 3, 2, 2, valid, f64([10, 100]), f64([NaN, Infinity]), f64([20, 50]), f64([4, 5]), out);
    // before side contributes 0 for both bands now:
    // p1: band0 (28−20)/4 = 2, band1 2 → sqrt(4) = 2;  p2: 0, −2 → sqrt(2);  p5: −1, −1 → 1
    expect(Array.from(out)).toEqual([0, 2, Math.fround(Math.SQRT2), 0, 0, 1]);
  });

  it('a single band gives |Δz|', () => {
    const out = new Float32Array(2);
    changeVectorMagnitude(
      new Float32Array([1, 3]),
      new Float32Array([5, 1]),
      2,
      1,
      1,
      new Uint8Array([1, 1]),
      f64([2]),
      f64([1]),
      f64([3]),
      f64([2]),
      out,
    );
    // p0: (5−3)/2 − (1−2)/1 = 2;  p1: (1−3)/2 − (3−2)/1 = −2 → 2
    expect(Array.from(out)).toEqual([2, 2]);
  });

  it('rejects short buffers and statistics', () => {
    const stats = f64([0, 0]);
    expect(() =>
      changeVectorMagnitude(before, after, 3, 2, 2, valid, stats, stats, stats, stats, new Float32Array(5)),
    ).toThrow(RangeError);
    expect(() =>
      changeVectorMagnitude(before, after, 3, 2, 2, valid, f64([0]), stats, stats, stats, new Float32Array(6)),
    ).toThrow(RangeError);
    expect(() =>
      changeVectorMagnitude(before.subarray(1), after, 3, 2, 2, valid, stats, stats, stats, stats, new Float32Array(6)),
    ).toThrow(RangeError);
  });

  it('matches the reference formula on seeded random imagery', () => {
    const random = mulberry32(1980);
    for (let trial = 0; trial < 30; trial++) {
      const width = randomInt(random, 1, 31);
      const height = randomInt(random, 1, 19);
      const bands = randomInt(random, 1, 5);
      const pixels = width * height;
      const b = new Float32Array(bands * pixels).map(() => random() * 4000);
      const a = new Float32Array(bands * pixels).map(() => random() * 4000);
      const valid = new Uint8Array(pixels).map(() => (random() < 0.85 ? 1 : 0));
      const stat = (scale: number): Float64Array =>
        new Float64Array(bands).map(() => (random() < 0.15 ? 0 : random() * scale));
      const bm = stat(4000);
      const bs = stat(800);
      const am = stat(4000);
      const as = stat(800);
      const got = new Float32Array(pixels);
      const want = new Float32Array(pixels);
      changeVectorMagnitude(b, a, width, height, bands, valid, bm, bs, am, as, got);
      referenceChangeVector(b, a, width, height, bands, valid, bm, bs, am, as, want);
      for (let i = 0; i < pixels; i++) {
        expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6 * (want[i] + 1));
      }
    }
  });
});

describe('ndviDrop', () => {
  // 3×2 image, 3 bands (blue, red, nir): redBand 1, nirBand 2
  const before = new Float32Array([
    // blue (ignored)
    9, 9, 9, 9, 9, 9,
    // red
    1, 0, -1, 1, 1, 4,
    // nir
    3, 0, -1, 5, 4, 1,
  ]);
  const after = new Float32Array([
    9, 9, 9, 9, 9, 9,
    3, 1, 2, 0, 1, 1,
    1, 3, 2, 0, 1, 4,
  ]);
  const valid = new Uint8Array([1, 1, 1, 0, 1, 1]);

  it('computes ndvi(before) − ndvi(after) by hand-checked values', () => {
    const out = new Float32Array(6).fill(99);
    ndviDrop(before, after, 3, 2, 3, 1, 2, valid, out);
    // p0: 2/4 − (−2/4) = 1
    // p1: nir+red = 0 → 0;  after 2/4 → −0.5
    // p2: nir+red = −2 → 0; after 0 → 0
    // p3: invalid → 0
    // p4: 3/5 − 0 = 0.6
    // p5: −3/5 − 3/5 = −1.2
    expect(Array.from(out)).toEqual([1, -0.5, 0, 0, Math.fround(0.6), Math.fround(-1.2)]);
  });

  it('rejects band indices outside 0..bands-1', () => {
    const out = new Float32Array(6);
    expect(() => ndviDrop(before, after, 3, 2, 3, 1, 3, valid, out)).toThrow(RangeError);
    expect(() => ndviDrop(before, after, 3, 2, 3, -1, 2, valid, out)).toThrow(RangeError);
  });

  it('matches the reference formula on seeded random imagery', () => {
    const random = mulberry32(1974);
    for (let trial = 0; trial < 30; trial++) {
      const width = randomInt(random, 1, 31);
      const height = randomInt(random, 1, 19);
      const bands = 4;
      const pixels = width * height;
      // include zero and negative reflectances (sum <= 0 cases)
      const sample = (): number => (random() < 0.05 ? 0 : random() * 1.2 - 0.1);
      const b = new Float32Array(bands * pixels).map(sample);
      const a = new Float32Array(bands * pixels).map(sample);
      const valid = new Uint8Array(pixels).map(() => (random() < 0.9 ? 1 : 0));
      const got = new Float32Array(pixels);
      const want = new Float32Array(pixels);
      ndviDrop(b, a, width, height, bands, 2, 3, valid, got);
      referenceNdviDrop(b, a, width, height, 2, 3, valid, want);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});
