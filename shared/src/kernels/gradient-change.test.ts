import { describe, expect, it } from 'vitest';
import { gradientChange } from './gradient-change.js';
import { mulberry32 } from './test-random.js';

/** Naive reference: per pixel, look up each neighbour (the centre when missing), Sobel, scale by 1/std. */
function reference(before: Float32Array, after: Float32Array, w: number, h: number, bands: number, valid: Uint8Array, bs: Float64Array, as: Float64Array): Float32Array {
  const n = w * h;
  const out = new Float32Array(n);
  const inv = (s: number) => (s > 0 && s < Infinity ? 1 / s : 0);
  const grad = (src: Float32Array, b: number, scale: number, x: number, y: number): number => {
    const z = (xx: number, yy: number): number => {
      const inside = xx >= 0 && yy >= 0 && xx < w && yy < h && valid[yy * w + xx] === 1;
      return src[b * n + (inside ? yy * w + xx : y * w + x)]!;
    };
    const gx = (z(x + 1, y - 1) - z(x - 1, y - 1) + 2 * (z(x + 1, y) - z(x - 1, y)) + (z(x + 1, y + 1) - z(x - 1, y + 1))) / 8;
    const gy = (z(x - 1, y + 1) + 2 * z(x, y + 1) + z(x + 1, y + 1) - (z(x - 1, y - 1) + 2 * z(x, y - 1) + z(x + 1, y - 1))) / 8;
    return Math.sqrt(gx * gx + gy * gy) * scale;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (valid[y * w + x] !== 1) continue;
      let s = 0;
      for (let b = 0; b < bands; b++) {
        const d = grad(after, b, inv(as[b]!), x, y) - grad(before, b, inv(bs[b]!), x, y);
        s += d * d;
      }
      out[y * w + x] = Math.sqrt(s * (1 / bands));
    }
  }
  return out;
}

function randomCase(seed: number, w: number, h: number, bands: number) {
  const rand = mulberry32(seed);
  const n = w * h;
  const before = new Float32Array(n * bands).map(() => 1000 * rand());
  const after = new Float32Array(n * bands).map(() => 1000 * rand());
  const valid = new Uint8Array(n).map(() => (rand() < 0.85 ? 1 : 0));
  for (let i = 0; i < n; i++) if (valid[i] === 0 && rand() < 0.5) before[i] = Number.NaN; // nodata must not leak
  const stats = () => ({ mean: Float64Array.from({ length: bands }, () => 500 * rand()), std: Float64Array.from({ length: bands }, (_, b) => (b === 0 ? 0 : 50 + 300 * rand())) });
  const b = stats();
  const a = stats();
  return { before, after, valid, b, a };
}

describe('gradientChange', () => {
  it('matches the naive reference bit for bit (random, with invalid pixels, zero std, all edges)', () => {
    for (const [seed, w, h, bands] of [[1, 9, 7, 3], [2, 1, 5, 2], [3, 6, 1, 4], [4, 17, 13, 6]] as const) {
      const c = randomCase(seed, w, h, bands);
      const out = new Float32Array(w * h).fill(-1);
      gradientChange(c.before, c.after, w, h, bands, c.valid, c.b.std, c.a.std, out);
      expect(Array.from(out)).toEqual(Array.from(reference(c.before, c.after, w, h, bands, c.valid, c.b.std, c.a.std)));
      for (let i = 0; i < w * h; i++) if (c.valid[i] !== 1) expect(out[i]).toBe(0);
      expect(out.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('is 0 under a gain/offset change and sees a new edge (hand-built 5×5)', () => {
    const w = 5;
    const unit = new Float64Array([1]);
    const flat = new Float32Array(25).fill(3);
    const step = Float32Array.from({ length: 25 }, (_, i) => (i % w >= 3 ? 11 : 3)); // edge between columns 2 and 3
    const valid = new Uint8Array(25).fill(1);
    const out = new Float32Array(25);
    // same picture up to gain and offset: after = 2·before + 5, z-scored with matching stats
    const doubled = step.map((v) => 2 * v + 5);
    gradientChange(step, doubled, w, 5, 1, valid, unit, new Float64Array([2]), out);
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
    // a new edge: |∇| at column 2 is (8·4/8) = 4 z/pixel, 0 at columns 0 and 4
    gradientChange(flat, step, w, 5, 1, valid, unit, unit, out);
    expect(out[2 * w + 2]).toBe(4);
    expect(out[2 * w + 3]).toBe(4);
    expect(out[2 * w + 0]).toBe(0);
    expect(out[2 * w + 4]).toBe(0);
  });

  it('gives a window read with a 1-pixel halo the same values as the whole array', () => {
    const w = 20;
    const h = 16;
    const c = randomCase(9, w, h, 3);
    const whole = new Float32Array(w * h);
    gradientChange(c.before, c.after, w, h, 3, c.valid, c.b.std, c.a.std, whole);
    // window cols 5..12, rows 4..10, read with halo cols 4..13, rows 3..11
    const hw = 10;
    const hh = 9;
    const crop = (src: Float32Array | Uint8Array, bands: number) => {
      const out = new (src.constructor as new (n: number) => Float32Array | Uint8Array)(hw * hh * bands);
      for (let b = 0; b < bands; b++) for (let y = 0; y < hh; y++) for (let x = 0; x < hw; x++) out[b * hw * hh + y * hw + x] = src[b * w * h + (y + 3) * w + x + 4]!;
      return out;
    };
    const part = new Float32Array(hw * hh);
    gradientChange(crop(c.before, 3) as Float32Array, crop(c.after, 3) as Float32Array, hw, hh, 3, crop(c.valid, 1) as Uint8Array, c.b.std, c.a.std, part);
    for (let y = 1; y < hh - 1; y++) for (let x = 1; x < hw - 1; x++) expect(part[y * hw + x]).toBe(whole[(y + 3) * w + x + 4]);
  });

  it('rejects short buffers', () => {
    const z = new Float64Array(1);
    expect(() => gradientChange(new Float32Array(3), new Float32Array(4), 2, 2, 1, new Uint8Array(4), z, z, new Float32Array(4))).toThrow(/before/);
  });
});
