import { describe, expect, it } from 'vitest';
import { BOX_MEAN_MAX_RADIUS, boxMeanMin, boxMeanQuantum, boxMeanValid } from './box-mean.js';
import { mulberry32 } from './test-random.js';

/** Naive reference: loop over the square, same fixed-point sums. */
function reference(src: Float32Array, valid: Uint8Array, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (valid[y * w + x] !== 1) continue;
      let s = 0;
      let c = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          const j = yy * w + xx;
          if (valid[j] !== 1) continue;
          s += Number.isNaN(src[j]!) ? 0 : boxMeanQuantum(src[j]!);
          c++;
        }
      }
      out[y * w + x] = s / c / 65536;
    }
  }
  return out;
}

describe('boxMeanValid', () => {
  it('matches a naive square loop bit for bit (random scores, invalid pixels, NaN, every edge, radii 0..5 and 20)', () => {
    const rand = mulberry32(11);
    for (const [w, h] of [[1, 1], [7, 3], [13, 17], [40, 9]] as const) {
      const src = new Float32Array(w * h).map(() => 20 * rand());
      const valid = new Uint8Array(w * h).map(() => (rand() < 0.8 ? 1 : 0));
      for (let i = 0; i < w * h; i++) if (valid[i] === 0 && rand() < 0.3) src[i] = Number.NaN;
      for (const r of [0, 1, 2, 3, 5, 20]) {
        const out = new Float32Array(w * h).fill(-1);
        boxMeanValid(src, valid, w, h, r, out);
        expect(Array.from(out)).toEqual(Array.from(reference(src, valid, w, h, r)));
      }
    }
  });

  it('boxMeanMin is the smaller of the two boxMeanValid results, bit for bit', () => {
    const rand = mulberry32(12);
    const w = 23;
    const h = 19;
    const src = new Float32Array(w * h).map(() => 9 * rand());
    const valid = new Uint8Array(w * h).map(() => (rand() < 0.85 ? 1 : 0));
    for (const [near, wide] of [[1, 4], [1, 1], [2, 9], [3, 0]] as const) {
      const a = new Float32Array(w * h);
      const b = new Float32Array(w * h);
      const out = new Float32Array(w * h);
      boxMeanValid(src, valid, w, h, near, a);
      boxMeanValid(src, valid, w, h, wide, b);
      boxMeanMin(src, valid, w, h, near, wide, out);
      expect(Array.from(out)).toEqual(Array.from(a, (v, i) => Math.min(v, b[i]!)));
    }
  });

  it('averages hand-computed 3×3 neighbourhoods (corner, centre with an invalid neighbour)', () => {
    const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const valid = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const out = new Float32Array(9);
    boxMeanValid(src, valid, 3, 3, 1, out);
    expect(out[0]).toBe(3); // (1+2+4+5)/4
    expect(out[4]).toBe(4.5); // (1+…+8)/8
    expect(out[8]).toBe(0);
  });

  it('gives a window read with a radius-pixel halo the same bits as the whole array', () => {
    const rand = mulberry32(5);
    const w = 60;
    const h = 50;
    const r = 7;
    const src = new Float32Array(w * h).map(() => 5 * rand());
    const valid = new Uint8Array(w * h).map(() => (rand() < 0.9 ? 1 : 0));
    const whole = new Float32Array(w * h);
    boxMeanValid(src, valid, w, h, r, whole);
    const x0 = 11;
    const y0 = 9;
    const cw = 30;
    const ch = 25;
    const cs = new Float32Array(cw * ch);
    const cv = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
      cs[y * cw + x] = src[(y + y0) * w + x + x0]!;
      cv[y * cw + x] = valid[(y + y0) * w + x + x0]!;
    }
    const part = new Float32Array(cw * ch);
    boxMeanValid(cs, cv, cw, ch, r, part);
    for (let y = r; y < ch - r; y++) for (let x = r; x < cw - r; x++) expect(part[y * cw + x]).toBe(whole[(y + y0) * w + x + x0]);
  });

  it('rejects a radius beyond the exact range and short buffers', () => {
    const a = new Float32Array(4);
    expect(() => boxMeanValid(a, new Uint8Array(4), 2, 2, BOX_MEAN_MAX_RADIUS + 1, new Float32Array(4))).toThrow(/near/);
    expect(() => boxMeanValid(a, new Uint8Array(3), 2, 2, 1, new Float32Array(4))).toThrow(/valid/);
  });
});
