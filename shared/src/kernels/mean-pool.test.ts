import { describe, expect, it } from 'vitest';
import { meanPool, pooledSize } from './mean-pool.js';
import { mulberry32 } from './test-random.js';

/** The definition: blocks at global multiples of `factor`, the window starting (ox, oy) into its block. */
function naivePool(src: Float32Array, valid: Uint8Array, w: number, h: number, f: number, ox: number, oy: number) {
  const pw = pooledSize(w, ox, f);
  const ph = pooledSize(h, oy, f);
  const out = new Float32Array(pw * ph);
  const outValid = new Uint8Array(pw * ph);
  for (let by = 0; by < ph; by++) {
    for (let bx = 0; bx < pw; bx++) {
      let sum = 0;
      let count = 0;
      for (let y = 0; y < h; y++) {
        if (Math.floor((y + oy) / f) !== by) continue;
        for (let x = 0; x < w; x++) {
          if (Math.floor((x + ox) / f) !== bx || valid[y * w + x] !== 1) continue;
          sum += src[y * w + x]!;
          count++;
        }
      }
      out[by * pw + bx] = count > 0 ? sum / count : 0;
      outValid[by * pw + bx] = count > 0 ? 1 : 0;
    }
  }
  return { out, outValid, pw, ph };
}

describe('meanPool', () => {
  it('equals the definition bit for bit (random sizes, factors, offsets and validity)', () => {
    const rand = mulberry32(77);
    for (let trial = 0; trial < 80; trial++) {
      const [w, h] = [1 + Math.floor(rand() * 23), 1 + Math.floor(rand() * 23)];
      const f = 1 + Math.floor(rand() * 6);
      const [ox, oy] = [Math.floor(rand() * f), Math.floor(rand() * f)];
      const src = Float32Array.from({ length: w * h }, () => rand() * 10 - 3);
      const valid = Uint8Array.from({ length: w * h }, () => (rand() < 0.85 ? 1 : 0));
      const expected = naivePool(src, valid, w, h, f, ox, oy);
      const out = new Float32Array(expected.pw * expected.ph).fill(99);
      const outValid = new Uint8Array(expected.pw * expected.ph).fill(7);
      meanPool(src, valid, w, h, f, ox, oy, new Float64Array(expected.pw), new Int32Array(expected.pw), out, outValid);
      expect(out, `trial ${trial}`).toEqual(expected.out);
      expect(outValid).toEqual(expected.outValid);
    }
  });

  it('aligns blocks to the grid: a window starting inside a block sees the same whole blocks as one starting at its edge', () => {
    const [w, h, f] = [16, 8, 4];
    const src = Float32Array.from({ length: w * h }, (_, i) => i % 7);
    const valid = new Uint8Array(w * h).fill(1);
    const whole = naivePool(src, valid, w, h, f, 0, 0);
    // the window from column 2: its first block is cut, the next three are whole and equal
    const part = new Float32Array((w - 2) * h);
    for (let y = 0; y < h; y++) part.set(src.subarray(y * w + 2, y * w + w), y * (w - 2));
    const pw = pooledSize(w - 2, 2, f);
    const out = new Float32Array(pw * 2);
    meanPool(part, new Uint8Array((w - 2) * h).fill(1), w - 2, h, f, 2, 0, new Float64Array(pw), new Int32Array(pw), out, new Uint8Array(pw * 2));
    for (const by of [0, 1]) for (const bx of [1, 2, 3]) expect(out[by * pw + bx]).toBe(whole.out[by * whole.pw + bx]);
  });

  it('rejects an offset outside the block and short buffers', () => {
    const src = new Float32Array(16);
    const valid = new Uint8Array(16);
    expect(() => meanPool(src, valid, 4, 4, 2, 2, 0, new Float64Array(2), new Int32Array(2), new Float32Array(4), new Uint8Array(4))).toThrow(/offsetX/);
    expect(() => meanPool(src, valid, 4, 4, 2, 0, 0, new Float64Array(2), new Int32Array(2), new Float32Array(3), new Uint8Array(4))).toThrow(/out/);
  });
});
