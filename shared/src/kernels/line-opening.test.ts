import { describe, expect, it } from 'vitest';
import { openAlongLine, type LineDirection } from './line-opening.js';
import { buildingIndex } from './building-index.js';
import { mulberry32 } from './test-random.js';
import { referenceBuildingIndex, referenceLineOpening as naiveOpen } from './reference-kernels.js';

function naiveIndex(src: Float32Array, w: number, h: number, short: number, long: number): Float32Array {
  const out = new Float32Array(w * h);
  referenceBuildingIndex(src, w, h, short, long, out);
  return out;
}


describe('openAlongLine', () => {
  it('equals the definition bit for bit on random rasters, every direction, lengths 1 to 41, sizes 1×1 to 40×40', () => {
    const rand = mulberry32(5);
    for (let trial = 0; trial < 300; trial++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 40);
      const d = (trial % 4) as LineDirection;
      const length = 1 + 2 * Math.floor(rand() * 21);
      const src = new Float32Array(w * h).map(() => Math.round(rand() * 50) / 7);
      const out = new Float32Array(w * h);
      openAlongLine(src, w, h, d, length, new Float32Array(3 * w * h), out);
      expect(out, `trial ${trial}: ${w}×${h} d${d} L${length}`).toEqual(naiveOpen(src, w, h, d, length));
    }
  });

  it('never exceeds the input, and a longer segment never opens higher', () => {
    const rand = mulberry32(9);
    const [w, h] = [37, 23];
    const src = new Float32Array(w * h).map(() => rand());
    const scratch = new Float32Array(3 * w * h);
    for (let d = 0; d < 4; d++) {
      const short = new Float32Array(w * h);
      const long = new Float32Array(w * h);
      openAlongLine(src, w, h, d as LineDirection, 5, scratch, short);
      openAlongLine(src, w, h, d as LineDirection, 15, scratch, long);
      for (let i = 0; i < w * h; i++) {
        expect(short[i]).toBeLessThanOrEqual(src[i]!);
        expect(long[i]).toBeLessThanOrEqual(short[i]!);
      }
    }
  });

  it('rejects an even length, a bad direction and short buffers', () => {
    const src = new Float32Array(16);
    const out = new Float32Array(16);
    expect(() => openAlongLine(src, 4, 4, 0, 4, new Float32Array(16), out)).toThrow(/odd/);
    expect(() => openAlongLine(src, 4, 4, 4 as LineDirection, 3, new Float32Array(16), out)).toThrow(/direction/);
    expect(() => openAlongLine(src, 4, 4, 0, 3, new Float32Array(47), out)).toThrow(/scratch/);
  });
});

describe('buildingIndex', () => {
  it('equals the naive index bit for bit on random rasters', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 20; trial++) {
      const w = 1 + Math.floor(rand() * 30);
      const h = 1 + Math.floor(rand() * 30);
      const short = 1 + 2 * Math.floor(rand() * 3);
      const long = short + 2 * Math.floor(rand() * 8);
      const src = new Float32Array(w * h).map(() => rand() * 3 - 1);
      const out = new Float32Array(w * h);
      buildingIndex(src, w, h, short, long, new Float32Array(5 * w * h), out);
      expect(out, `trial ${trial}`).toEqual(naiveIndex(src, w, h, short, long));
      for (const v of out) expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('is high on a bright square between the two scales, low on a long bright road and on a wide bright field', () => {
    const [w, h] = [90, 60];
    const img = new Float32Array(w * h);
    const fill = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) img[y * w + x] = 1;
    };
    fill(10, 10, 20, 20); // a 10×10 roof
    fill(0, 40, w, 44); // a 4-pixel road across the raster
    fill(50, 0, 90, 35); // a field wider than the long segment
    const out = new Float32Array(w * h);
    buildingIndex(img, w, h, 3, 25, new Float32Array(5 * w * h), out);
    const at = (x: number, y: number) => out[y * w + x]!;
    expect(at(15, 15)).toBe(1); // every direction: the short segment fits, the long one does not
    expect(at(30, 42)).toBe(0.75); // the horizontal segment fits along the road: 3 of 4 directions
    expect(at(70, 17)).toBe(0); // the long segment fits in the field in every direction
    expect(at(35, 25)).toBe(0); // dark ground
  });

  it('gives the same values inside a window read with a halo of long − 1 pixels as on the whole raster', () => {
    const rand = mulberry32(21);
    const [w, h, short, long] = [64, 48, 3, 11];
    const img = new Float32Array(w * h).map(() => rand());
    const whole = new Float32Array(w * h);
    buildingIndex(img, w, h, short, long, new Float32Array(5 * w * h), whole);
    const halo = long - 1;
    const [x0, y0, ww, wh] = [20 - halo, 15 - halo, 20 + 2 * halo, 16 + 2 * halo];
    const part = new Float32Array(ww * wh);
    for (let y = 0; y < wh; y++) part.set(img.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + ww), y * ww);
    const out = new Float32Array(ww * wh);
    buildingIndex(part, ww, wh, short, long, new Float32Array(5 * ww * wh), out);
    for (let y = halo; y < wh - halo; y++) {
      for (let x = halo; x < ww - halo; x++) expect(out[y * ww + x]).toBe(whole[(y0 + y) * w + x0 + x]);
    }
  });
});
