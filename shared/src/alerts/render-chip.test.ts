import { describe, expect, it } from 'vitest';
import { percentileStretch, renderChips, sharedStretch, stretchToRgb } from './render-chip.js';
import { blockMean } from './render-overview.js';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Per output pixel, straight from the definition. */
function naiveRgb(planar: Float32Array, width: number, height: number, rgbBands: number[], valid: Uint8Array, stretch: Array<[number, number]>, s: number): Uint8Array {
  const W = width * s;
  const out = new Uint8Array(W * height * s * 3);
  for (let y = 0; y < height * s; y++)
    for (let x = 0; x < W; x++) {
      const i = Math.floor(y / s) * width + Math.floor(x / s);
      for (let c = 0; c < 3; c++) {
        if (valid[i] !== 1) continue;
        const [lo, hi] = stretch[c]!;
        const v = ((planar[rgbBands[c]! * width * height + i]! - lo) / (hi - lo)) * 255;
        out[(y * W + x) * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
      }
    }
  return out;
}

describe('chip rendering', () => {
  it('stretches and upscales like the per-pixel definition, on random inputs', () => {
    const rnd = random(7);
    for (const [width, height, bands, s] of [[13, 9, 4, 3], [7, 11, 1, 1], [20, 5, 3, 5]] as const) {
      const n = width * height;
      const planar = new Float32Array(n * bands).map(() => Math.fround(rnd() * 1000 - 100));
      const valid = new Uint8Array(n).map(() => (rnd() < 0.85 ? 1 : 0));
      const rgb: [number, number, number] = bands >= 3 ? [2, 1, 0] : [0, 0, 0];
      const stretch = percentileStretch([planar], n, rgb, valid);
      expect(stretchToRgb(planar, width, height, rgb, valid, stretch, s)).toEqual(naiveRgb(planar, width, height, rgb, valid, stretch, s));
    }
  });

  it('computes one stretch from both epochs: percentiles of the pooled valid values', () => {
    const n = 50;
    const before = new Float32Array(n).map((_, i) => i);
    const after = new Float32Array(n).map((_, i) => 100 + i);
    const valid = new Uint8Array(n).fill(1);
    const stretch = sharedStretch({ before, after, width: n, height: 1, bands: 1, rgb: [0, 0, 0], valid, patch: new Uint8Array(n), scale: 1 });
    const pooled = [...before, ...after].sort((a, b) => a - b);
    expect(stretch[0]).toEqual([pooled[Math.floor(0.02 * 99)], pooled[Math.ceil(0.98 * 99)]]);
    const chips = renderChips({ before, after, width: n, height: 1, bands: 1, rgb: [0, 0, 0], valid, patch: new Uint8Array(n), scale: 1 });
    // The same value gets the same colour in both chips: before's last pixel (49) is darker than after's first (100).
    expect(chips.before[49 * 3]!).toBeLessThan(chips.after[0]!);
  });

  it('block means average only valid pixels, partial blocks included', () => {
    const planar = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]); // 5 × 3, one band
    const valid = new Uint8Array(15).fill(1);
    valid[0] = 0;
    const out = blockMean(planar, 5, 3, 1, valid, 2);
    expect([out.width, out.height]).toEqual([3, 2]);
    expect([...out.planar]).toEqual([(2 + 6 + 7) / 3, (3 + 4 + 8 + 9) / 4, (5 + 10) / 2, (11 + 12) / 2, (13 + 14) / 2, 15].map(Math.fround));
    expect([...out.valid]).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
