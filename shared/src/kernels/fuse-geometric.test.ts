import { describe, expect, it } from 'vitest';
import { fuseGeometricMean3 } from './fuse-geometric.js';
import { mulberry32 } from './test-random.js';

describe('fuseGeometricMean3', () => {
  it('is the cube root of the product of the scaled cues, the third capped by the larger of the others (random, bit-exact)', () => {
    const rand = mulberry32(7);
    const n = 500;
    const [a, b, c] = [0, 1, 2].map(() => new Float32Array(n).map(() => 10 * rand()));
    const valid = new Uint8Array(n).map(() => (rand() < 0.9 ? 1 : 0));
    const out = new Float32Array(n).fill(-1);
    fuseGeometricMean3(a!, b!, c!, 2, 0.5, 4, valid, n, out);
    for (let i = 0; i < n; i++) {
      const [x, y, z] = [a![i]! * 0.5, b![i]! * 2, c![i]! * 0.25];
      const expected = valid[i] === 1 ? Math.fround(Math.cbrt(x * y * Math.min(z, Math.max(x, y)))) : 0;
      expect(out[i]).toBe(expected);
    }
  });

  it('caps the third cue: a strong third cue cannot lift a pixel past its spectral evidence', () => {
    const out = new Float32Array(2);
    fuseGeometricMean3(Float32Array.from([1, 8]), Float32Array.from([1, 8]), Float32Array.from([27, 27]), 1, 1, 1, Uint8Array.from([1, 1]), 2, out);
    expect(Array.from(out)).toEqual([1, Math.fround(Math.cbrt(8 * 8 * 8))]);
  });

  it('is 0 when any cue is 0, equals a cue when all three agree, and ignores unusable scales', () => {
    const out = new Float32Array(3);
    fuseGeometricMean3(Float32Array.from([0, 3, 3]), Float32Array.from([5, 3, 3]), Float32Array.from([5, 3, 3]), 1, 1, 1, Uint8Array.from([1, 1, 0]), 3, out);
    expect(Array.from(out)).toEqual([0, 3, 0]);
    fuseGeometricMean3(Float32Array.from([1]), Float32Array.from([1]), Float32Array.from([1]), 0, 1, 1, Uint8Array.from([1]), 1, out);
    expect(out[0]).toBe(0);
  });

  it('rejects short buffers', () => {
    const x = new Float32Array(2);
    expect(() => fuseGeometricMean3(x, x, new Float32Array(1), 1, 1, 1, new Uint8Array(2), 2, x.slice())).toThrow(/third/);
  });
});
