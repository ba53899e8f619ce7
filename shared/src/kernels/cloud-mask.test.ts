import { describe, expect, it } from 'vitest';
import { andClearSkyMask, CLOUD_TESTS, type CloudBands } from './cloud-mask.js';
import { mulberry32, randomInt } from './test-random.js';

const AT: CloudBands = { blue: 0, green: 1, red: 2, nir: 3, swir16: 4, swir22: 5 };

/** Planar window from per-pixel reflectance spectra [blue, green, red, nir, swir16, swir22] ×10000. */
function scene(spectra: number[][]): Float32Array {
  const n = spectra.length;
  const out = new Float32Array(6 * n);
  spectra.forEach((s, i) => s.forEach((v, b) => (out[b * n + i] = v)));
  return out;
}

/** Straightforward restatement of the tests, one pixel at a time. */
function naiveCloud(r: number[], hasSwir22: boolean): boolean {
  const [blue, green, red, nir, swir, swir22] = r as [number, number, number, number, number, number];
  const t = CLOUD_TESTS;
  const mean = (blue + green + red) / 3;
  const tests = [
    mean > t.visibleMin,
    !hasSwir22 || swir22 > t.swir22Min,
    (green - swir) / (green + swir) < t.ndsiMax,
    (nir - red) / (nir + red) < t.ndviMax,
    [blue, green, red].reduce((s, v) => s + Math.abs(v - mean), 0) / mean < t.whitenessMax,
    blue - 0.5 * red - t.hotOffset > 0,
    nir / swir > t.nirSwirMin,
  ];
  return tests.every(Boolean);
}

describe('andClearSkyMask', () => {
  it('flags a thick cloud, keeps dark ground (shadows are tested against the other epoch), vegetation, soil, water, concrete and asphalt', () => {
    const spectra = [
      [4500, 4400, 4300, 4600, 3800, 2900], // cloud: bright, white, blue-ish, NIR ≈ SWIR
      [300, 250, 200, 700, 450, 250], // shadow over vegetation, or dark ground: dark NIR and SWIR
      [400, 700, 500, 3500, 1800, 900], // crop
      [1200, 1600, 2100, 2700, 3300, 2800], // bare soil
      [600, 700, 400, 200, 100, 60], // water: dark, but NIR below green
      [2300, 2400, 2450, 2700, 2900, 2600], // concrete roof: white, but below the visible floor
      [900, 950, 1000, 1200, 1300, 1200], // asphalt
    ];
    const valid = new Uint8Array(spectra.length).fill(1);
    andClearSkyMask(scene(spectra), spectra.length, 1, 6, AT, 1e-4, 0, valid);
    expect(Array.from(valid)).toEqual([0, 1, 1, 1, 1, 1, 1]);
  });

  it('applies scale and offset (Landsat Collection 2: ρ = 2.75e-5·DN − 0.2)', () => {
    const toDn = (rho: number) => Math.round((rho + 0.2) / 2.75e-5);
    const cloud = [0.45, 0.44, 0.43, 0.46, 0.38, 0.29].map(toDn);
    const crop = [0.04, 0.07, 0.05, 0.35, 0.18, 0.09].map(toDn);
    const valid = new Uint8Array(2).fill(1);
    andClearSkyMask(scene([cloud, crop]), 2, 1, 6, AT, 2.75e-5, -0.2, valid);
    expect(Array.from(valid)).toEqual([0, 1]);
  });

  it('leaves already-invalid and non-finite pixels alone', () => {
    const planar = scene([[4500, 4400, 4300, 4600, 3800, 2900], [NaN, NaN, NaN, NaN, NaN, NaN]]);
    const valid = new Uint8Array([0, 1]);
    andClearSkyMask(planar, 2, 1, 6, AT, 1e-4, 0, valid);
    expect(Array.from(valid)).toEqual([0, 1]);
  });

  it('rejects a band index outside the window', () => {
    expect(() => andClearSkyMask(new Float32Array(6), 1, 1, 6, { ...AT, swir16: 6 }, 1, 0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => andClearSkyMask(new Float32Array(6), 1, 1, 6, { ...AT, blue: -1 }, 1, 0, new Uint8Array(1))).toThrow(RangeError);
  });

  it('matches the naive restatement on seeded random spectra, with and without swir22', () => {
    const random = mulberry32(99);
    for (const hasSwir22 of [true, false]) {
      const n = 5000;
      const spectra = Array.from({ length: n }, () => Array.from({ length: 6 }, () => randomInt(random, 0, 6000)));
      const valid = new Uint8Array(n).fill(1);
      andClearSkyMask(scene(spectra), n, 1, 6, { ...AT, swir22: hasSwir22 ? 5 : -1 }, 1e-4, 0, valid);
      // reflectance as the kernel sees it: float32 samples × scale in double precision
      const expected = spectra.map((s) => (naiveCloud(s.map((v) => Math.fround(v) * 1e-4 + 0), hasSwir22) ? 0 : 1));
      expect(Array.from(valid)).toEqual(expected);
      expect(expected.filter((v) => v === 0).length).toBeGreaterThan(50);
    }
  });
});
