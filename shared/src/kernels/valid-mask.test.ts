import { describe, expect, it } from 'vitest';
import { referenceValidMask } from './reference-kernels.js';
import { mulberry32, randomInt } from './test-random.js';
import { andIntegerValidMask, andValidMask, isIntegerSamples } from './valid-mask.js';

describe('andValidMask', () => {
  it('clears pixels with nodata, NaN or ±Infinity in any band (3×2, 2 bands)', () => {
    // band 0 row 0: ok, NaN, ok      band 1 row 0: ok, ok, -9999
    // band 0 row 1: ok, +Inf, ok     band 1 row 1: -Inf, ok, 0
    const planar = new Float32Array([
      1, NaN, 3,
      4, Infinity, 6,
      10, 20, -9999,
      -Infinity, 50, 0,
    ]);
    const valid = new Uint8Array(6).fill(1);
    andValidMask(planar, 3, 2, 2, -9999, valid);
    expect(Array.from(valid)).toEqual([1, 0, 0, 0, 0, 1]);
  });

  it('with nodata null keeps the nodata-looking value but still rejects non-finite samples', () => {
    const planar = new Float32Array([-9999, 0, NaN, 7]);
    const valid = new Uint8Array(4).fill(1);
    andValidMask(planar, 2, 2, 1, null, valid);
    expect(Array.from(valid)).toEqual([1, 1, 0, 1]);
  });

  it('treats nodata 0 as invalid, including negative zero', () => {
    const planar = new Float32Array([0, -0, 1, -1]);
    const valid = new Uint8Array(4).fill(1);
    andValidMask(planar, 4, 1, 1, 0, valid);
    expect(Array.from(valid)).toEqual([0, 0, 1, 1]);
  });

  it('compares nodata as float32 (0.1 matches the stored 0.1f)', () => {
    const planar = new Float32Array([0.1, 0.2]);
    const valid = new Uint8Array(2).fill(1);
    andValidMask(planar, 2, 1, 1, 0.1, valid);
    expect(Array.from(valid)).toEqual([0, 1]);
  });

  it('only ANDs: a pixel already 0 stays 0, and two epochs combine', () => {
    const before = new Float32Array([1, 2, NaN, 4]);
    const after = new Float32Array([1, -1, 3, 4]);
    const valid = new Uint8Array([1, 1, 1, 0]);
    andValidMask(before, 2, 2, 1, -1, valid);
    expect(Array.from(valid)).toEqual([1, 1, 0, 0]);
    andValidMask(after, 2, 2, 1, -1, valid);
    expect(Array.from(valid)).toEqual([1, 0, 0, 0]);
  });

  it('leaves samples beyond bands*width*height and the mask beyond width*height alone', () => {
    const planar = new Float32Array([1, 2, NaN]);
    const valid = new Uint8Array([1, 1, 1]);
    andValidMask(planar, 2, 1, 1, null, valid);
    expect(Array.from(valid)).toEqual([1, 1, 1]);
  });

  it('rejects short buffers', () => {
    expect(() => andValidMask(new Float32Array(7), 2, 2, 2, null, new Uint8Array(4))).toThrow(RangeError);
    expect(() => andValidMask(new Float32Array(8), 2, 2, 2, null, new Uint8Array(3))).toThrow(RangeError);
    expect(() => andValidMask(new Float32Array(8), 2, 2, 0, null, new Uint8Array(4))).toThrow(RangeError);
  });

  it('matches the reference on seeded random imagery with nodata and non-finite samples', () => {
    const random = mulberry32(20240601);
    for (let trial = 0; trial < 60; trial++) {
      const width = randomInt(random, 1, 23);
      const height = randomInt(random, 1, 17);
      const bands = randomInt(random, 1, 9); // swept four planes at a time, then one by one
      const nodata = random() < 0.2 ? null : -9999;
      const epochs = [0, 1].map(() => {
        const planar = new Float32Array(bands * width * height);
        for (let i = 0; i < planar.length; i++) {
          const r = random();
          planar[i] = r < 0.03 ? NaN : r < 0.05 ? Infinity : r < 0.06 ? -Infinity : r < 0.1 ? -9999 : random() * 3000;
        }
        return planar;
      });
      const valid = new Uint8Array(width * height).fill(1);
      for (const planar of epochs) andValidMask(planar, width, height, bands, nodata, valid);
      expect(Array.from(valid)).toEqual(Array.from(referenceValidMask(epochs, width, height, bands, nodata)));
    }
  });
});

describe('andIntegerValidMask', () => {
  it('clears exactly the pixels where some band holds nodata (random 8- and 16-bit planes, against a naive loop)', () => {
    const rand = mulberry32(314);
    for (let trial = 0; trial < 120; trial++) {
      const [pixels, bands] = [1 + randomInt(rand, 0, 400), 1 + randomInt(rand, 0, 5)];
      const make = [
        () => Uint8Array.from({ length: pixels * bands }, () => randomInt(rand, 0, 6)),
        () => Int8Array.from({ length: pixels * bands }, () => randomInt(rand, -3, 3)),
        () => Uint16Array.from({ length: pixels * bands }, () => randomInt(rand, 65530, 65535)),
        () => Int16Array.from({ length: pixels * bands }, () => randomInt(rand, -2, 2)),
      ][trial % 4]!;
      const samples = make();
      // a value the samples hold, one they cannot hold, a fraction, −0, or none
      const nodata = [samples[randomInt(rand, 0, samples.length - 1)]!, 1e6, 0.5, -0, null][trial % 5]!;
      const before = Uint8Array.from({ length: pixels + 3 }, () => (rand() < 0.9 ? 1 : 0));
      const valid = Uint8Array.from(before);
      andIntegerValidMask(samples, pixels, bands, nodata, valid);
      for (let i = 0; i < pixels + 3; i++) {
        let hit = false;
        if (i < pixels) for (let b = 0; b < bands; b++) if (samples[b * pixels + i] === nodata) hit = true;
        expect(valid[i], `trial ${trial}, pixel ${i}`).toBe(hit ? 0 : before[i]);
      }
    }
  });

  it('tells integer sample arrays from the others', () => {
    for (const a of [new Uint8Array(1), new Int8Array(1), new Uint16Array(1), new Int16Array(1)]) expect(isIntegerSamples(a)).toBe(true);
    for (const a of [new Float32Array(1), new Float64Array(1), new Uint32Array(1), new Uint8ClampedArray(1)]) expect(isIntegerSamples(a)).toBe(false);
  });

  it('rejects short buffers', () => {
    expect(() => andIntegerValidMask(new Uint8Array(5), 3, 2, 0, new Uint8Array(3))).toThrow(/samples/);
    expect(() => andIntegerValidMask(new Uint8Array(6), 3, 2, 0, new Uint8Array(2))).toThrow(/valid/);
  });
});
