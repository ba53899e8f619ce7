import { describe, expect, it } from 'vitest';
import { bandMeanGradient, bestShift, SHIFT_AT_ZERO, SHIFT_DX, SHIFT_DY, SHIFT_INTEGER, SHIFT_PEAK, SHIFT_PIXELS } from './registration-shift.js';
import { mulberry32, type Random } from './test-random.js';

/** A smooth random texture (sums of a few sinusoids), sampled at (x + sx, y + sy): shifts of any fraction. */
function texture(random: Random, width: number, height: number): (x: number, y: number) => number {
  const waves = Array.from({ length: 12 }, () => ({ fx: (random() - 0.5) * 0.9, fy: (random() - 0.5) * 0.9, phase: random() * 6.283, amp: 0.5 + random() }));
  return (x, y) => waves.reduce((s, w) => s + w.amp * Math.sin(w.fx * x + w.fy * y + w.phase), 0);
}

function plane(width: number, height: number, f: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width)));
}

/** Pearson correlation of the region with the moved region, on pixels finite in both: the definition. */
function naiveCorrelation(a: Float32Array, b: Float32Array, width: number, x0: number, y0: number, w: number, h: number, dx: number, dy: number): number {
  const pairs: Array<[number, number]> = [];
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const p = a[y * width + x]!;
      const q = b[(y + dy) * width + x + dx]!;
      if (Number.isFinite(p) && Number.isFinite(q)) pairs.push([p, q]);
    }
  }
  const n = pairs.length;
  const ma = pairs.reduce((s, [p]) => s + p, 0) / n;
  const mb = pairs.reduce((s, [, q]) => s + q, 0) / n;
  const cov = pairs.reduce((s, [p, q]) => s + (p - ma) * (q - mb), 0);
  const va = pairs.reduce((s, [p]) => s + (p - ma) ** 2, 0);
  const vb = pairs.reduce((s, [, q]) => s + (q - mb) ** 2, 0);
  return cov / Math.sqrt(va * vb);
}

describe('bestShift', () => {
  const width = 96;
  const height = 80;
  const region = { x0: 12, y0: 10, w: 64, h: 56 };
  const run = (a: Float32Array, b: Float32Array, radius = 3) => {
    const out = new Float64Array(6);
    const scores = new Float64Array((2 * radius + 1) ** 2);
    bestShift(a, b, width, height, region.x0, region.y0, region.w, region.h, radius, scores, out);
    return { out, scores };
  };

  it('finds an integer offset exactly, and scores every shift as the correlation of the definition', () => {
    const random = mulberry32(41);
    for (const [dx, dy] of [[0, 0], [2, -1], [-3, 2], [1, 3]] as const) {
      const f = texture(random, width, height);
      const before = plane(width, height, f);
      const after = plane(width, height, (x, y) => 3 * f(x - dx, y - dy) + 7); // other gain and offset
      const { out, scores } = run(before, after);
      expect([Math.round(out[SHIFT_DX]!) + 0, Math.round(out[SHIFT_DY]!) + 0]).toEqual([dx, dy]);
      expect(out[SHIFT_PEAK]!).toBeGreaterThan(0.999);
      expect(out[SHIFT_INTEGER]).toBe(Math.abs(dx) < 3 && Math.abs(dy) < 3 ? 1 : 0);
      expect(out[SHIFT_PIXELS]).toBe(region.w * region.h);
      for (const [sx, sy] of [[0, 0], [1, -2], [-3, 3]] as const) {
        const k = (sy + 3) * 7 + sx + 3;
        expect(scores[k]!).toBeCloseTo(naiveCorrelation(before, after, width, region.x0, region.y0, region.w, region.h, sx, sy), 10);
      }
      expect(out[SHIFT_AT_ZERO]).toBe(scores[3 * 7 + 3]);
    }
  });

  // One quadratic surface over the 3 × 3 scores, not a parabola per axis: on these textures, whose
  // correlation is elongated along diagonals, the per-axis parabolas missed (1.25, 0.5) by 0.38 pixel.
  it('measures a fraction of a pixel to within a twentieth, along a diagonal too', () => {
    const random = mulberry32(42);
    for (const [dx, dy] of [[0.4, -0.3], [1.25, 0.5], [-1.6, 1.1], [0.7, 0.7], [-0.5, 2.3]] as const) {
      const f = texture(random, width, height);
      const { out } = run(plane(width, height, f), plane(width, height, (x, y) => f(x - dx, y - dy)));
      expect(Math.abs(out[SHIFT_DX]! - dx)).toBeLessThan(0.05);
      expect(Math.abs(out[SHIFT_DY]! - dy)).toBeLessThan(0.05);
      expect(out[SHIFT_INTEGER]).toBe(1);
    }
  });

  it('compares only pixels finite in both, and says when nothing is textured', () => {
    const random = mulberry32(43);
    const f = texture(random, width, height);
    const before = plane(width, height, f);
    const after = plane(width, height, (x, y) => f(x - 1, y));
    for (let i = 0; i < before.length; i += 7) before[i] = Number.NaN;
    const { out, scores } = run(before, after);
    expect([Math.round(out[SHIFT_DX]!) + 0, Math.round(out[SHIFT_DY]!) + 0]).toEqual([1, 0]);
    expect(out[SHIFT_PIXELS]).toBeLessThan(region.w * region.h);
    expect(scores[3 * 7 + 4]!).toBeCloseTo(naiveCorrelation(before, after, width, region.x0, region.y0, region.w, region.h, 1, 0), 10);
    const flat = run(new Float32Array(width * height).fill(2), after).out;
    expect(flat[SHIFT_INTEGER]).toBe(0);
    expect(flat[SHIFT_DX]).toBeNaN();
    expect(flat[SHIFT_PIXELS]).toBe(0);
  });

  it('refuses a region that a shift would move out of the image', () => {
    const a = new Float32Array(width * height);
    const out = new Float64Array(6);
    expect(() => bestShift(a, a, width, height, 2, 10, 10, 10, 3, new Float64Array(49), out)).toThrow(RangeError);
    expect(() => bestShift(a, a, width, height, 10, 10, width - 12, 10, 3, new Float64Array(49), out)).toThrow(RangeError);
    expect(() => bestShift(a, a, width, height, 10, 10, 10, 10, 3, new Float64Array(48), out)).toThrow(RangeError);
  });
});

describe('bandMeanGradient', () => {
  it('is the central-difference gradient magnitude of the band mean, NaN on the ring and next to invalid pixels', () => {
    const random = mulberry32(44);
    const width = 9;
    const height = 7;
    const bands = 3;
    const n = width * height;
    const planar = Float32Array.from({ length: bands * n }, () => Math.floor(random() * 1000));
    const valid = Uint8Array.from({ length: n }, () => (random() < 0.85 ? 1 : 0));
    const out = new Float32Array(n);
    bandMeanGradient(planar, width, height, bands, valid, new Float32Array(n), out);
    const mean = (x: number, y: number) => (planar[y * width + x]! + planar[n + y * width + x]! + planar[2 * n + y * width + x]!) / 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const got = out[y * width + x]!;
        const inner = x > 0 && y > 0 && x < width - 1 && y < height - 1;
        if (!inner || [[-1, 0], [1, 0], [0, -1], [0, 1]].some(([a, b]) => valid[(y + b!) * width + x + a!] !== 1)) {
          expect(got).toBeNaN();
          continue;
        }
        const gx = (mean(x + 1, y) - mean(x - 1, y)) / 2;
        const gy = (mean(x, y + 1) - mean(x, y - 1)) / 2;
        expect(got).toBeCloseTo(Math.hypot(gx, gy), 3);
      }
    }
  });

  it('over a window writes what the whole image gives there, and nothing outside it', () => {
    const random = mulberry32(45);
    const width = 13;
    const height = 11;
    const bands = 2;
    const n = width * height;
    const planar = Float32Array.from({ length: bands * n }, () => Math.floor(random() * 100));
    const valid = Uint8Array.from({ length: n }, () => (random() < 0.9 ? 1 : 0));
    const whole = new Float32Array(n);
    bandMeanGradient(planar, width, height, bands, valid, new Float32Array(n), whole);
    for (const [x0, y0, w, h] of [[0, 0, 4, 3], [3, 2, 6, 5], [9, 8, 4, 3]] as const) {
      const out = new Float32Array(n).fill(-1);
      bandMeanGradient(planar, width, height, bands, valid, new Float32Array(n).fill(123), out, x0, y0, w, h);
      for (let i = 0; i < n; i++) {
        const x = i % width;
        const y = Math.floor(i / width);
        const inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
        if (inside) expect(Object.is(out[i], whole[i]) || out[i] === whole[i]).toBe(true);
        else expect(out[i]).toBe(-1);
      }
    }
    expect(() => bandMeanGradient(planar, width, height, bands, valid, new Float32Array(n), new Float32Array(n), 10, 0, 4, 3)).toThrow(RangeError);
  });
});

