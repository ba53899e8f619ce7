import { describe, expect, it } from 'vitest';
import { andMaskPlane, clearInvalidSamples } from './mask-band.js';
import { mulberry32, randomInt } from './test-random.js';

describe('andMaskPlane', () => {
  it('masks non-zero samples by default, and NaN', () => {
    const valid = new Uint8Array(5).fill(1);
    andMaskPlane(new Float32Array([0, 1, 255, NaN, 0]), 5, null, valid);
    expect(Array.from(valid)).toEqual([1, 0, 0, 0, 1]);
  });

  it('masks only the listed classes when given (Fmask: 2 shadow, 4 cloud)', () => {
    const valid = new Uint8Array([1, 1, 1, 1, 1, 0]);
    andMaskPlane(new Float32Array([0, 1, 2, 3, 4, 0]), 6, Float64Array.from([2, 4]), valid);
    expect(Array.from(valid)).toEqual([1, 1, 0, 1, 0, 0]);
  });

  it('matches a naive reference on random classes', () => {
    const random = mulberry32(3);
    const n = 2000;
    const plane = Float32Array.from({ length: n }, () => randomInt(random, 0, 10));
    const values = Float64Array.from([3, 8, 9]);
    const valid = new Uint8Array(n).fill(1);
    andMaskPlane(plane, n, values, valid);
    expect(Array.from(valid)).toEqual(Array.from(plane, (v) => ([3, 8, 9].includes(v) ? 0 : 1)));
  });

  it('rejects short buffers', () => {
    expect(() => andMaskPlane(new Float32Array(1), 2, null, new Uint8Array(2))).toThrow(RangeError);
  });
});

describe('clearInvalidSamples', () => {
  it('writes NaN into every band of invalid pixels only', () => {
    const planar = new Float32Array([1, 2, 3, 4, 5, 6]);
    clearInvalidSamples(planar, 3, 2, new Uint8Array([1, 0, 1]));
    expect(Array.from(planar)).toEqual([1, NaN, 3, 4, NaN, 6]);
  });
});
