import { describe, expect, it } from 'vitest';
import { clearVegetatedInBoth, type VegetationTest } from './vegetation-mask.js';
import { excessGreen, normalizedDifference } from './spectral-indices.js';
import { mulberry32, uniformFloat32 } from './test-random.js';

describe('clearVegetatedInBoth', () => {
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
  const initial = () => Uint8Array.from({ length: pixels }, (_, i) => (i % 3 === 0 ? 0 : 1));

  /** Naive reference: the index kernels over every pixel, then mask AND NOT (index ≥ floor in both). */
  function reference(index: (planar: Float32Array, out: Float32Array) => void, floor: number): Uint8Array {
    const ib = new Float32Array(pixels);
    const ia = new Float32Array(pixels);
    index(before, ib);
    index(after, ia);
    return initial().map((m, i) => (m === 1 && !(ib[i]! >= floor && ia[i]! >= floor) ? 1 : 0));
  }

  const check = (test: VegetationTest, expected: Uint8Array) => {
    const mask = initial();
    clearVegetatedInBoth(before, after, pixels, test, mask);
    expect(mask).toEqual(expected);
    const cleared = initial().reduce((s, v) => s + v, 0) - expected.reduce((s, v) => s + v, 0);
    expect(cleared).toBeGreaterThan(100); // the test is not vacuous
    expect(cleared).toBeLessThan(pixels / 2);
  };

  it('clears set pixels with NDVI ≥ floor in both epochs, NDVI exactly as normalizedDifference computes it', () => {
    check({ index: 'ndvi', nir: 3, red: 1, floor: 0.3 }, reference((p, out) => normalizedDifference(p, pixels, 3, 1, out), 0.3));
  });

  it('clears set pixels with ExG ≥ floor in both epochs for RGB, ExG exactly as excessGreen computes it', () => {
    check({ index: 'exg', red: 0, green: 2, blue: 1, floor: 0.05 }, reference((p, out) => excessGreen(p, pixels, 0, 2, 1, out), 0.05));
  });

  it('reads 16-bit samples as their float32 values', () => {
    const b16 = Uint16Array.from(before, (v) => (Number.isFinite(v) ? Math.round(v) : 0));
    const a16 = Uint16Array.from(after, (v) => (Number.isFinite(v) ? Math.round(v) : 0));
    const test: VegetationTest = { index: 'ndvi', nir: 3, red: 1, floor: 0.3 };
    const fromInts = initial();
    clearVegetatedInBoth(b16, a16, pixels, test, fromInts);
    const fromFloats = initial();
    clearVegetatedInBoth(Float32Array.from(b16), Float32Array.from(a16), pixels, test, fromFloats);
    expect(fromInts).toEqual(fromFloats);
  });

  it('refuses arrays too short for the bands named', () => {
    expect(() => clearVegetatedInBoth(before.subarray(0, 3 * pixels), after, pixels, { index: 'ndvi', nir: 3, red: 1, floor: 0.3 }, initial())).toThrow(/before/);
  });
});
