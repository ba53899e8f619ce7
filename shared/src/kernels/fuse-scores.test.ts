import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { andValidMask } from './valid-mask.js';
import { boxMean3x3 } from './box-mean-3x3.js';
import { changeVectorMagnitude } from './change-vector.js';
import { whitenedChiScore } from './whitened-chi-score.js';
import { changeCues, changeScores, fuseMinScaled, setChangePassSimd } from './fuse-scores.js';
import { mulberry32 } from './test-random.js';

describe('fuseMinScaled', () => {
  it('takes the smaller of the two scaled scores, 0 where invalid', () => {
    const out = new Float32Array(4);
    fuseMinScaled(Float32Array.from([2, 4, 6, 8]), Float32Array.from([1, 9, 1, 9]), 2, 3, Uint8Array.from([1, 1, 1, 0]), 4, out);
    // pixel 0: min(2/2, 1/3); pixel 1: min(4/2, 9/3); pixel 2: min(6/2, 1/3); pixel 3 invalid
    expect([...out]).toEqual([1 / 3, 2, 1 / 3, 0].map((v) => Math.fround(v)));
  });
  it('treats a zero or non-finite scale as "cue unavailable" (scaled value 0)', () => {
    const out = new Float32Array(2);
    fuseMinScaled(Float32Array.from([2, 4]), Float32Array.from([1, 1]), 0, 1, Uint8Array.from([1, 1]), 2, out);
    expect([...out]).toEqual([0, 0]);
  });
});

describe.each([
  ['WebAssembly SIMD', true],
  ['scalar', false],
])('changeCues / changeScores (one-pass kernels, %s path) match the separate kernels bit for bit', (_, simd) => {
  beforeAll(() => setChangePassSimd(simd));
  afterAll(() => setChangePassSimd(true));

  /** Random pair with NaN, ±Infinity and nodata samples in either epoch, and random pair constants. */
  function randomCase(seed: number, width: number, height: number, bands: number, options: { nodata: boolean; wideRange: boolean }) {
    const rand = mulberry32(seed);
    const n = width * height;
    const nodataBefore = options.nodata ? -9999 : null;
    const nodataAfter = options.nodata ? 0.1 : null; // compared as float32
    const sample = (): number => {
      const r = rand();
      if (r < 0.01) return NaN;
      if (r < 0.015) return rand() < 0.5 ? Infinity : -Infinity;
      // wide range: magnitudes from 1e-6 to 1e6, so 3×3 sums mix very different exponents
      return options.wideRange ? (rand() - 0.3) * 10 ** (12 * rand() - 6) : Math.round(rand() * 4000);
    };
    const before = new Float32Array(n * bands).map(sample);
    const after = new Float32Array(n * bands).map(sample);
    for (let k = 0; k < n * bands * 0.02; k++) {
      if (options.nodata) before[Math.floor(rand() * n * bands)] = -9999;
      if (options.nodata) after[Math.floor(rand() * n * bands)] = 0.1;
    }
    const vec = (len: number, f: () => number) => Float64Array.from({ length: len }, f);
    const params = {
      bands,
      nodataBefore,
      nodataAfter,
      beforeMean: vec(bands, () => rand() * 2000),
      beforeStd: vec(bands, () => (rand() < 0.15 ? 0 : rand() * 500)), // some constant bands
      afterMean: vec(bands, () => rand() * 2000),
      afterStd: vec(bands, () => (rand() < 0.15 ? NaN : rand() * 500)),
      // a full matrix: only its lower triangle is read
      whiten: vec(bands * bands, () => (rand() - 0.5) * 4),
      cvaMedian: rand() * 2,
      madMedian: rand() < 0.1 ? 0 : rand() * 2,
    };
    return { before, after, params, n };
  }

  /** The separate kernels, as the detector ran them before the one-pass kernels. */
  function separate(before: Float32Array, after: Float32Array, width: number, height: number, p: ReturnType<typeof randomCase>['params']) {
    const n = width * height;
    const valid = new Uint8Array(n).fill(1);
    andValidMask(before, width, height, p.bands, p.nodataBefore, valid);
    andValidMask(after, width, height, p.bands, p.nodataAfter, valid);
    const cva = new Float32Array(n);
    changeVectorMagnitude(before, after, width, height, p.bands, valid, p.beforeMean, p.beforeStd, p.afterMean, p.afterStd, cva);
    const mad = new Float32Array(n);
    whitenedChiScore(before, after, width, height, p.bands, valid, p.beforeMean, p.beforeStd, p.afterMean, p.afterStd, p.whiten, new Float32Array(p.bands), mad);
    const fused = new Float32Array(n);
    fuseMinScaled(cva, mad, p.cvaMedian, p.madMedian, valid, n, fused);
    const score = new Float32Array(n);
    boxMean3x3(fused, valid, width, height, score);
    return { valid, cva, mad, score };
  }

  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const sizes: [number, number][] = [[1, 1], [1, 7], [9, 1], [2, 2], [3, 5], [37, 11], [64, 33]];
  let seed = 100;
  for (const bands of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    for (const [width, height] of sizes) {
      for (const nodata of [true, false]) {
        for (const wideRange of [false, true]) {
          const s = seed++;
          it(`${bands} bands, ${width}×${height}, nodata ${nodata}, ${wideRange ? 'wide' : 'DN'} range (seed ${s})`, () => {
            const { before, after, params, n } = randomCase(s, width, height, bands, { nodata, wideRange });
            const expected = separate(before, after, width, height, params);
            // outputs pre-filled with garbage: every element must be written
            const valid = new Uint8Array(n).fill(7);
            const cva = new Float32Array(n).fill(-1);
            const mad = new Float32Array(n).fill(-1);
            changeCues(before, after, width, height, params, valid, cva, mad);
            expect(bytes(valid).equals(bytes(expected.valid))).toBe(true);
            expect(bytes(cva).equals(bytes(expected.cva))).toBe(true);
            expect(bytes(mad).equals(bytes(expected.mad))).toBe(true);
            const valid2 = new Uint8Array(n).fill(7);
            const score = new Float32Array(n).fill(-1);
            changeScores(before, after, width, height, params, valid2, score);
            expect(bytes(valid2).equals(bytes(expected.valid))).toBe(true);
            expect(bytes(score).equals(bytes(expected.score))).toBe(true);
          });
        }
      }
    }
  }

  /** Integer samples of `type` (with the nodata value sprinkled in), their float32 copies, and an exclusion mask. */
  function integerCase(seed: number, width: number, height: number, bands: number, type: 'u8' | 'u16' | 'i16' | 'i32') {
    const { params, n } = randomCase(seed, width, height, bands, { nodata: true, wideRange: false });
    const rand = mulberry32(seed ^ 0x5bd1e995);
    const make = { u8: Uint8Array, u16: Uint16Array, i16: Int16Array, i32: Int32Array }[type];
    const [lo, hi] = { u8: [0, 255], u16: [0, 65535], i16: [-32768, 32767], i32: [-(2 ** 24), 2 ** 24] }[type];
    const nodata = type === 'u8' ? 255 : type === 'u16' ? 65535 : -9999;
    const sample = (): number => (rand() < 0.03 ? nodata : Math.floor(lo + rand() * (hi - lo + 1)));
    const before = new make(n * bands).map(sample);
    const after = new make(n * bands).map(sample);
    const excluded = Uint8Array.from({ length: n }, () => (rand() < 0.1 ? 1 + Math.floor(rand() * 255) : 0));
    const p = { ...params, nodataBefore: nodata, nodataAfter: rand() < 0.5 ? nodata : null };
    return { before, after, excluded, params: p, n };
  }

  for (const bands of [1, 3, 4, 8, 9]) {
    for (const type of ['u8', 'u16', 'i16', 'i32'] as const) {
      const s = seed++;
      it(`${type} samples, ${bands} bands, with an exclusion mask: as their float32 copies with the mask ANDed in (seed ${s})`, () => {
        const width = 23;
        const height = 9;
        const { before, after, excluded, params, n } = integerCase(s, width, height, bands, type);
        const expected = separate(Float32Array.from(before), Float32Array.from(after), width, height, params);
        // reference for the mask: the separate kernels on float32 copies with excluded pixels made NaN
        const masked = (samples: Float32Array) => {
          const out = samples.slice();
          for (let i = 0; i < n; i++) if (excluded[i] !== 0) out[i] = NaN;
          return out;
        };
        const expectedMasked = separate(masked(Float32Array.from(before)), Float32Array.from(after), width, height, params);
        const valid = new Uint8Array(n).fill(7);
        const cva = new Float32Array(n).fill(-1);
        const mad = new Float32Array(n).fill(-1);
        changeCues(before, after, width, height, params, valid, cva, mad);
        expect(bytes(valid).equals(bytes(expected.valid))).toBe(true);
        expect(bytes(cva).equals(bytes(expected.cva))).toBe(true);
        expect(bytes(mad).equals(bytes(expected.mad))).toBe(true);
        const score = new Float32Array(n).fill(-1);
        changeScores(before, after, width, height, params, valid, score);
        expect(bytes(score).equals(bytes(expected.score))).toBe(true);
        changeCues(before, after, width, height, params, valid, cva, mad, excluded);
        expect(bytes(valid).equals(bytes(expectedMasked.valid))).toBe(true);
        expect(bytes(cva).equals(bytes(expectedMasked.cva))).toBe(true);
        expect(bytes(mad).equals(bytes(expectedMasked.mad))).toBe(true);
        changeScores(before, after, width, height, params, valid, score, excluded);
        expect(bytes(valid).equals(bytes(expectedMasked.valid))).toBe(true);
        expect(bytes(score).equals(bytes(expectedMasked.score))).toBe(true);
        expect(expectedMasked.valid.some((v, i) => v === 0 && expected.valid[i] === 1)).toBe(true);
      });
    }
  }

  it('reads float64 samples without narrowing them and rejects other arrays', () => {
    const { params } = randomCase(3, 1, 1, 1, { nodata: false, wideRange: false });
    const p = { ...params, beforeMean: Float64Array.of(0), beforeStd: Float64Array.of(1), afterMean: Float64Array.of(0), afterStd: Float64Array.of(1) };
    const valid = new Uint8Array(2);
    const cva = new Float32Array(2);
    const mad = new Float32Array(2);
    // 1e300 is finite as a double (a float32 copy would be Infinity, so invalid)
    changeCues(Float64Array.of(0, 1e300), Float64Array.of(1, 0), 2, 1, p, valid, cva, mad);
    expect([...valid]).toEqual([1, 1]);
    expect(cva[0]).toBe(1);
    expect(() => changeCues([0, 1] as unknown as Float32Array, Float64Array.of(1, 0), 2, 1, p, valid, cva, mad)).toThrow(/before must be/);
    expect(() => changeCues(Float64Array.of(0, 1), Float64Array.of(1, 0), 2, 1, p, valid, cva, mad, new Uint8Array(1))).toThrow(/excluded/);
  });

  it('has some valid and some invalid pixels in the random cases (the test exercises both)', () => {
    const { before, after, params } = randomCase(1, 64, 33, 4, { nodata: true, wideRange: false });
    const { valid, score } = separate(before, after, 64, 33, params);
    const count = valid.reduce((sum, v) => sum + v, 0);
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(64 * 33);
    expect(score.some((v) => v > 0)).toBe(true);
  });

  it('handles an empty raster and rejects short buffers', () => {
    const { params } = randomCase(2, 1, 1, 4, { nodata: true, wideRange: false });
    changeScores(new Float32Array(0), new Float32Array(0), 0, 5, params, new Uint8Array(0), new Float32Array(0));
    changeCues(new Float32Array(0), new Float32Array(0), 5, 0, params, new Uint8Array(0), new Float32Array(0), new Float32Array(0));
    expect(() => changeScores(new Float32Array(15), new Float32Array(16), 2, 2, params, new Uint8Array(4), new Float32Array(4))).toThrow(RangeError);
    expect(() => changeScores(new Float32Array(16), new Float32Array(16), 2, 2, params, new Uint8Array(4), new Float32Array(3))).toThrow(RangeError);
  });
});
