import { describe, expect, it } from 'vitest';
import { andNotEveryBandAtMask } from './every-band-at-mask.js';
import { mulberry32, randomInt } from './test-random.js';

function naive(planar: Float32Array, pixels: number, bands: number, saturation: number, valid: Uint8Array): Uint8Array {
  const out = valid.slice();
  for (let i = 0; i < pixels; i++) {
    const all = Array.from({ length: bands }, (_, b) => planar[b * pixels + i]).every((v) => v === Math.fround(saturation));
    if (all) out[i] = 0;
  }
  return out;
}

describe('andNotEveryBandAtMask', () => {
  it('clears only pixels clipped in every band (uint8: 255)', () => {
    // pixel 0: all 255; pixel 1: one band 255; pixel 2: none; pixel 3: all 255 but already invalid
    const planar = new Float32Array([255, 255, 10, 255, 255, 3, 11, 255]);
    const valid = new Uint8Array([1, 1, 1, 0]);
    andNotEveryBandAtMask(planar, 4, 1, 2, 255, valid);
    expect(Array.from(valid)).toEqual([0, 1, 1, 0]);
  });

  it('clears fill pixels (0 in every band) and keeps a pixel that is 0 in some bands only', () => {
    // pixel 0: 0 in both bands (fill); pixel 1: 0 in the second band only (dark water in the SWIR); pixel 2: data
    const planar = new Float32Array([0, 812, 640, 0, 0, 955]);
    const valid = new Uint8Array([1, 1, 1]);
    andNotEveryBandAtMask(planar, 3, 1, 2, 0, valid);
    expect(Array.from(valid)).toEqual([0, 1, 1]);
  });

  it('compares as float32 (a declared 0.7 matches the stored 0.7f)', () => {
    const valid = new Uint8Array([1, 1]);
    andNotEveryBandAtMask(new Float32Array([0.7, 0.6]), 2, 1, 1, 0.7, valid);
    expect(Array.from(valid)).toEqual([0, 1]);
  });

  it('rejects short buffers', () => {
    expect(() => andNotEveryBandAtMask(new Float32Array(3), 2, 1, 2, 255, new Uint8Array(2))).toThrow(RangeError);
    expect(() => andNotEveryBandAtMask(new Float32Array(4), 2, 1, 2, 255, new Uint8Array(1))).toThrow(RangeError);
  });

  it('matches a naive reference on seeded random imagery', () => {
    const random = mulberry32(7301);
    for (let trial = 0; trial < 40; trial++) {
      const width = randomInt(random, 1, 19);
      const height = randomInt(random, 1, 13);
      const bands = randomInt(random, 1, 4);
      const pixels = width * height;
      const planar = new Float32Array(bands * pixels);
      for (let i = 0; i < planar.length; i++) planar[i] = random() < 0.6 ? 65535 : randomInt(random, 0, 65535);
      const valid = new Uint8Array(pixels).map(() => (random() < 0.9 ? 1 : 0));
      const expected = naive(planar, pixels, bands, 65535, valid);
      andNotEveryBandAtMask(planar, width, height, bands, 65535, valid);
      expect(Array.from(valid)).toEqual(Array.from(expected));
    }
  });
});
