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
});
