import { describe, expect, it } from 'vitest';
import { boxMean3x3 } from './box-mean-3x3.js';
import { mulberry32 } from './test-random.js';

describe('boxMean3x3', () => {
  it('averages over valid in-array neighbours (hand-computed 3×3, corner, edge, centre, invalid)', () => {
    const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const valid = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const out = new Float32Array(9);
    boxMean3x3(src, valid, 3, 3, out);
    expect(out[0]).toBeCloseTo((1 + 2 + 4 + 5) / 4, 6); // corner: 4 neighbours
    expect(out[1]).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 6) / 6, 6); // top edge
    expect(out[4]).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) / 8, 6); // centre, pixel 8 invalid
    expect(out[8]).toBe(0); // invalid centre
    expect(out[7]).toBeCloseTo((4 + 5 + 6 + 7 + 8) / 5, 6);
  });

  it('is the plain mean on a fully valid interior (random)', () => {
    const rand = mulberry32(3);
    const w = 9;
    const h = 7;
    const src = new Float32Array(w * h).map(() => rand());
    const out = new Float32Array(w * h);
    boxMean3x3(src, new Uint8Array(w * h).fill(1), w, h, out);
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += src[(y + dy) * w + x + dx]!;
        expect(out[y * w + x]).toBeCloseTo(s / 9, 5);
      }
    }
  });

  it('equals a naive float32 reference bit for bit on random scores and validity, any size (1×1 to 40×40)', () => {
    const rand = mulberry32(17);
    for (let trial = 0; trial < 60; trial++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 40);
      const n = w * h;
      const src = new Float32Array(n).map(() => (rand() - 0.3) * 100);
      const valid = new Uint8Array(n).map(() => (rand() < 0.8 ? 1 : 0));
      const out = new Float32Array(n).fill(NaN);
      boxMean3x3(src, valid, w, h, out);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let sum = 0;
          let count = 0;
          for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
            for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
              if (valid[yy * w + xx] === 1) {
                sum = Math.fround(sum + src[yy * w + xx]!);
                count++;
              }
            }
          }
          const want = valid[y * w + x] === 1 ? Math.fround(sum / count) : 0;
          if (!Object.is(out[y * w + x], want)) throw new Error(`${w}×${h} trial ${trial}: (${x}, ${y}) is ${out[y * w + x]}, expected ${want}`);
        }
      }
    }
  });
});
