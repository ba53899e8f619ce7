import { describe, expect, it } from 'vitest';
import { clearPairShadows, SHADOW_TESTS, type ShadowEpoch } from './cloud-shadow-pair.js';
import { mulberry32, randomInt } from './test-random.js';

/** Bands of the test windows: blue, green, red, nir, swir16, swir22. */
const AT = { blue: 0, green: 1, red: 2, nir: 3, swir16: 4 };
const EPOCH: ShadowEpoch = { at: AT, scale: 1e-4, offset: 0 };

/** Planar window from per-pixel reflectance spectra [blue, green, red, nir, swir16, swir22] ×10000. */
function window(spectra: number[][]): Float32Array {
  const n = spectra.length;
  const out = new Float32Array(6 * n);
  spectra.forEach((s, i) => s.forEach((v, b) => (out[b * n + i] = v)));
  return out;
}

/** Straightforward restatement of the test: is pixel `e` (reflectances) shadow against `o`? */
function naiveShadow(e: number[], o: number[]): boolean {
  const [blue, green, red, nir, swir] = e as [number, number, number, number, number];
  const [oBlue, oGreen, oRed, oNir, oSwir] = o as [number, number, number, number, number];
  const t = SHADOW_TESTS;
  return nir < t.nirMax && swir < t.swirMax && nir >= green && nir < t.infraredShare * oNir && swir < t.infraredShare * oSwir && blue < oBlue && green < oGreen && red < oRed;
}

const pixelOf = (planar: Float32Array, n: number, i: number) => Array.from({ length: 6 }, (_, b) => planar[b * n + i]!);

describe('clearPairShadows', () => {
  const crop = [400, 700, 500, 3500, 1800, 900];
  const shadowOnCrop = [100, 200, 150, 800, 500, 300];

  it('clears a cloud shadow on lit ground in either epoch, in every band of that epoch only', () => {
    const before = window([crop, shadowOnCrop]);
    const after = window([shadowOnCrop, crop]);
    const cleared = clearPairShadows(before, after, 2, 6, 6, EPOCH, EPOCH);
    expect(cleared).toEqual({ before: 1, after: 1 });
    expect(pixelOf(before, 2, 0)).toEqual(crop);
    expect(pixelOf(before, 2, 1).every(Number.isNaN)).toBe(true);
    expect(pixelOf(after, 2, 0).every(Number.isNaN)).toBe(true);
    expect(pixelOf(after, 2, 1)).toEqual(crop);
  });

  it('keeps ground that is dark in both epochs, dark ground that did not darken by half, water, and a new dark surface that brightened in the red', () => {
    const buildingShadow = [300, 320, 330, 900, 800, 600]; // dark in both epochs (a winter building shadow)
    const asphaltOnCrop = [900, 950, 1000, 1100, 900, 800]; // the infrared fell by more than half, the red rose
    const wetSoil = [600, 700, 800, 1100, 900, 700]; // dark, against lit soil only a little brighter
    const litSoil = [1000, 1200, 1300, 1800, 1700, 1500];
    const water = [600, 700, 400, 200, 100, 60]; // nir below green
    const before = window([buildingShadow, crop, litSoil, crop]);
    const after = window([buildingShadow, asphaltOnCrop, wetSoil, water]);
    const copies = [before.slice(), after.slice()];
    expect(clearPairShadows(before, after, 4, 6, 6, EPOCH, EPOCH)).toEqual({ before: 0, after: 0 });
    expect(before).toEqual(copies[0]);
    expect(after).toEqual(copies[1]);
  });

  it('reads each epoch with its own planes and scale, and leaves pixels with a NaN sample alone', () => {
    // the after window holds 5 planes in another order: swir16, nir, red, green, blue, at scale 2e-4
    const afterAt: ShadowEpoch = { at: { blue: 4, green: 3, red: 2, nir: 1, swir16: 0 }, scale: 2e-4, offset: 0 };
    const reordered = (s: number[]) => [s[4]! / 2, s[3]! / 2, s[2]! / 2, s[1]! / 2, s[0]! / 2];
    const before = window([crop, crop, [NaN, NaN, NaN, NaN, NaN, NaN]]);
    const afterPlanes = [reordered(shadowOnCrop), reordered(crop), reordered(shadowOnCrop)];
    const after = new Float32Array(5 * 3);
    afterPlanes.forEach((s, i) => s.forEach((v, b) => (after[b * 3 + i] = v)));
    expect(clearPairShadows(before, after, 3, 6, 5, EPOCH, afterAt)).toEqual({ before: 0, after: 1 });
    expect([0, 1, 2, 3, 4].map((b) => after[b * 3]).every(Number.isNaN)).toBe(true);
    expect([0, 1, 2, 3, 4].map((b) => after[b * 3 + 2])).toEqual(reordered(shadowOnCrop).map(Math.fround));
  });

  it('rejects a band position outside a window and windows of the wrong size', () => {
    expect(() => clearPairShadows(new Float32Array(6), new Float32Array(6), 1, 6, 6, { ...EPOCH, at: { ...AT, swir16: 6 } }, EPOCH)).toThrow(RangeError);
    expect(() => clearPairShadows(new Float32Array(6), new Float32Array(5), 1, 6, 6, EPOCH, EPOCH)).toThrow(RangeError);
  });

  it('matches the naive restatement on seeded random spectra, and a second run clears nothing more', () => {
    const random = mulberry32(7);
    const n = 20000;
    // dark-ish spectra, so that every branch of the test is taken often
    const spectrum = () => Array.from({ length: 6 }, (_, b) => randomInt(random, 0, b >= 3 ? 2400 : 1600));
    const b = Array.from({ length: n }, spectrum);
    const a = Array.from({ length: n }, spectrum);
    const before = window(b);
    const after = window(a);
    const cleared = clearPairShadows(before, after, n, 6, 6, EPOCH, EPOCH);
    const rho = (s: number[]) => s.map((v) => Math.fround(v) * 1e-4);
    let expectedBefore = 0;
    let expectedAfter = 0;
    for (let i = 0; i < n; i++) {
      const inBefore = naiveShadow(rho(b[i]!), rho(a[i]!));
      const inAfter = !inBefore && naiveShadow(rho(a[i]!), rho(b[i]!));
      expectedBefore += inBefore ? 1 : 0;
      expectedAfter += inAfter ? 1 : 0;
      expect(pixelOf(before, n, i).every(Number.isNaN)).toBe(inBefore);
      expect(pixelOf(after, n, i).every(Number.isNaN)).toBe(inAfter);
    }
    expect(cleared).toEqual({ before: expectedBefore, after: expectedAfter });
    expect(expectedBefore).toBeGreaterThan(30);
    expect(expectedAfter).toBeGreaterThan(30);
    expect(clearPairShadows(before, after, n, 6, 6, EPOCH, EPOCH)).toEqual({ before: 0, after: 0 });
  });
});
