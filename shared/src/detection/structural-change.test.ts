import { describe, expect, it } from 'vitest';
import { makeLattice } from '../grid/lattice.js';
import { structureOf, structureReach, structuralScore } from './structural-change.js';
import { Workspace } from './classify-change.js';

// A lattice in UTM 50N at the zone's central meridian (scale 0.9996) and one in geographic degrees.
const utm = (pixel: number) => makeLattice(32650, pixel, pixel, 500000, 3500000, 512);
/** 1000 pixels around (500000, 3500000): on the central meridian. */
const around = (pixel: number) => ({ col: Math.round(500000 / pixel) - 500, row: Math.round(-3500000 / pixel) - 500, width: 1000, height: 1000 });
const RGB = ['red', 'green', 'blue'] as const;

describe('structureOf', () => {
  it('scores 0.5 m visible imagery by structure, with 3.5 m and 30 m in odd ground pixels', () => {
    expect(structureOf(utm(0.5), around(0.5), [...RGB], [0, 1, 2])).toEqual({ short: 7, long: 59, pool: 1 });
    expect(structureOf(utm(1), around(1), ['pan'], [0])).toEqual({ short: 3, long: 29, pool: 1 });
    expect(structureOf(utm(0.25), around(0.25), [...RGB], [0, 1, 2])).toEqual({ short: 13, long: 119, pool: 1 });
  });

  it('averages drone imagery finer than 0.2 m over blocks of 2, 4, … pixels to 0.2–0.4 m', () => {
    expect(structureOf(utm(0.1), around(0.1), [...RGB], [0, 1, 2])).toEqual({ short: 17, long: 149, pool: 2 });
    expect(structureOf(utm(0.03), around(0.03), [...RGB], [0, 1, 2])).toEqual({ short: 15, long: 125, pool: 8 });
    expect(structureOf(utm(0.0125), around(0.0125), [...RGB], [0, 1, 2])?.pool).toBe(16);
  });

  it('keeps the spectral score where the pixel is too coarse or too fine, or bands beyond the visible are evidence', () => {
    expect(structureOf(utm(2), around(2), [...RGB], [0, 1, 2])).toBeNull(); // 3.5 m is under 3 pixels
    expect(structureOf(utm(0.005), around(0.005), [...RGB], [0, 1, 2])).toBeNull(); // 16-pixel blocks are still under 0.2 m
    expect(structureOf(utm(0.5), around(0.5), ['blue', 'green', 'red', 'nir'], [0, 1, 2, 3])).toBeNull();
    expect(structureOf(utm(0.5), around(0.5), [null, null, null], [0, 1, 2])).toBeNull(); // unknown bands
    expect(structureOf(utm(0.5), around(0.5), [...RGB], [])).toBeNull();
    // a band that is not evidence (coastal aerosol) does not stop it
    expect(structureOf(utm(0.5), around(0.5), ['coastal', ...RGB], [1, 2, 3])).toEqual({ short: 7, long: 59, pool: 1 });
  });

  it('measures the pixel on the ground, also on a geographic lattice', () => {
    // 4.5e-6° of latitude ≈ 0.5 m; of longitude at 30°N ≈ 0.43 m: the square root of the area ≈ 0.46 m
    const degrees = makeLattice(4326, 4.5e-6, 4.5e-6, 120, 30, 512);
    const centre = { col: Math.round(120 / 4.5e-6), row: Math.round(-30 / 4.5e-6), width: 1, height: 1 };
    expect(structureOf(degrees, centre, [...RGB], [0, 1, 2])).toEqual({ short: 7, long: 65, pool: 1 });
  });

  it('reaches long − 1 pixels beyond the spectral score (more with blocks), nothing without structure', () => {
    expect(structureReach({ short: 7, long: 59, pool: 1 })).toBe(58);
    // with blocks: every block within long of a pixel's block, whole: pool · (long + 1)
    expect(structureReach({ short: 17, long: 149, pool: 2 })).toBe(300);
    expect(structureReach(null)).toBe(0);
  });
});

describe('structuralScore', () => {
  it('is the 3×3 mean of the building-index gain: high on a new roof, 0 where nothing was built or on invalid pixels', () => {
    const [w, h] = [40, 30];
    const n = w * h;
    const before = new Float32Array(n).fill(10);
    const after = new Float32Array(n).fill(10);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) after[y * w + x] = 30; // a 10×10 roof
    const valid = new Uint8Array(n).fill(1);
    valid[0] = 0;
    const out = new Float32Array(n);
    const model = { structure: { short: 3, long: 15, pool: 1 }, bands: 1, beforeMean: Float64Array.of(10), beforeStd: Float64Array.of(5), afterMean: Float64Array.of(12), afterStd: Float64Array.of(5) };
    structuralScore(before, after, w, h, model, valid, out, new Workspace());
    // the roof is (30 − 12)/5 = 3.6 above the after epoch's mean, its ground (10 − 12)/5 = −0.4: a gain of 4 inside
    expect(out[15 * w + 15]).toBeCloseTo(4, 5);
    expect(out[25 * w + 35]).toBe(0);
    expect(out[0]).toBe(0);
    for (const v of out) expect(v).toBeGreaterThanOrEqual(0);
  });
});
