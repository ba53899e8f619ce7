import { describe, expect, it } from 'vitest';
import { clearVegetatedInBoth, vegetatedInBothMask, type VegetationTest } from './vegetation-mask.js';
import { excessGreen, normalizedDifference } from './spectral-indices.js';
import { mulberry32, uniformFloat32 } from './test-random.js';

describe('vegetatedInBothMask', () => {
  const pixels = 5000;
  const random = mulberry32(11);
  // 4 bands around the 0.3 NDVI / 0.05 ExG floors, with zeros, NaN and ±Infinity sprinkled in
  const planar = () => {
    const p = uniformFloat32(random, 4 * pixels, 0, 1000);
    for (let i = 0; i < p.length; i += 97) p[i] = [0, NaN, Infinity, -Infinity][(i / 97) % 4]!;
    return p;
  };
  const before = planar();
  const after = planar();

  it('is NDVI ≥ floor in both epochs, exactly as normalizedDifference computes NDVI', () => {
    const out = new Uint8Array(pixels);
    vegetatedInBothMask(before, after, pixels, { index: 'ndvi', nir: 3, red: 1, floor: 0.3 }, out);
    const nb = new Float32Array(pixels);
    const na = new Float32Array(pixels);
    normalizedDifference(before, pixels, 3, 1, nb);
    normalizedDifference(after, pixels, 3, 1, na);
    const expected = Uint8Array.from({ length: pixels }, (_, i) => (nb[i]! >= 0.3 && na[i]! >= 0.3 ? 1 : 0));
    expect(out).toEqual(expected);
    const count = out.reduce((s, v) => s + v, 0);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(pixels - 100);
  });

  it('is ExG ≥ floor in both epochs for RGB, exactly as excessGreen computes ExG', () => {
    const out = new Uint8Array(pixels);
    vegetatedInBothMask(before, after, pixels, { index: 'exg', red: 0, green: 2, blue: 1, floor: 0.05 }, out);
    const eb = new Float32Array(pixels);
    const ea = new Float32Array(pixels);
    excessGreen(before, pixels, 0, 2, 1, eb);
    excessGreen(after, pixels, 0, 2, 1, ea);
    expect(out).toEqual(Uint8Array.from({ length: pixels }, (_, i) => (eb[i]! >= 0.05 && ea[i]! >= 0.05 ? 1 : 0)));
  });

  it('refuses arrays too short for the bands named', () => {
    expect(() => vegetatedInBothMask(before.subarray(0, 3 * pixels), after, pixels, { index: 'ndvi', nir: 3, red: 1, floor: 0.3 }, new Uint8Array(pixels))).toThrow(/before/);
  });

  it('clearVegetatedInBoth clears exactly the set pixels vegetatedInBothMask marks, and no others', () => {
    for (const test of [{ index: 'ndvi', nir: 3, red: 1, floor: 0.3 }, { index: 'exg', red: 0, green: 2, blue: 1, floor: 0.05 }] as VegetationTest[]) {
      const mask = Uint8Array.from({ length: pixels }, (_, i) => (i % 3 === 0 ? 0 : 1));
      const vegetated = new Uint8Array(pixels);
      vegetatedInBothMask(before, after, pixels, test, vegetated);
      const expected = mask.map((m, i) => m & (1 - vegetated[i]!));
      clearVegetatedInBoth(before, after, pixels, test, mask);
      expect(mask).toEqual(expected);
      expect(expected.reduce((s, v) => s + v, 0)).toBeLessThan(pixels - pixels / 3 - 50); // some were cleared
    }
  });
});
