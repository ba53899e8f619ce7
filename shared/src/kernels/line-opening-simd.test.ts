import { afterAll, describe, expect, it } from 'vitest';
import { buildingIndex } from './building-index.js';
import { MIN_SIDE, lineOpeningModule } from './line-opening-simd.js';
import { openAlongLine, setLineOpeningSimd, type LineDirection } from './line-opening.js';
import { referenceBuildingIndex, referenceLineOpening } from './reference-kernels.js';
import { type Random, mulberry32 } from './test-random.js';
import { hasSimd, validate } from './wasm/runtime.js';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const sameBytes = (a: Float32Array, b: Float32Array) => bytes(a).equals(bytes(b));

/** openAlongLine on the path chosen, into an output pre-filled with garbage (every element must be written). */
function open(simd: boolean, src: Float32Array, w: number, h: number, d: LineDirection, length: number): Float32Array {
  setLineOpeningSimd(simd);
  const out = new Float32Array(w * h).fill(-12345);
  openAlongLine(src, w, h, d, length, new Float32Array(3 * w * h), out);
  return out;
}

function index(simd: boolean, src: Float32Array, w: number, h: number, short: number, long: number): Float32Array {
  setLineOpeningSimd(simd);
  const out = new Float32Array(w * h).fill(-12345);
  buildingIndex(src, w, h, short, long, new Float32Array(5 * w * h), out);
  return out;
}

/** Imagery-like values with many ties (so selections between equal values are exercised). */
const tiedValues = (random: Random, n: number) => new Float32Array(n).map(() => Math.round(random() * 30) / 7);

/** Signed zeros, infinities and ties: the selections must keep the same operand as the JavaScript kernel. */
const awkwardValues = (random: Random, n: number) =>
  new Float32Array(n).map(() => {
    const r = random();
    return r < 0.25 ? 0 : r < 0.5 ? -0 : r < 0.55 ? Infinity : r < 0.6 ? -Infinity : Math.round(random() * 4) - 2;
  });

describe('line openings on WebAssembly SIMD: the same bytes as the JavaScript passes and the definition', () => {
  afterAll(() => setLineOpeningSimd(true));

  it('generates a valid module, on an engine with SIMD (so the cases below run the SIMD kernels)', () => {
    expect(hasSimd()).toBe(true);
    expect(validate(lineOpeningModule())).toBe(true);
  });

  it('openAlongLine matches on random rasters 1×1 … 70×70, every direction, lengths 1 … 2·size + 1', () => {
    const random = mulberry32(101);
    for (let trial = 0; trial < 480; trial++) {
      const w = 1 + Math.floor(random() * 70);
      const h = 1 + Math.floor(random() * 70);
      const d = (trial % 4) as LineDirection;
      const length = 1 + 2 * Math.floor(random() * (Math.max(w, h) + 1));
      const src = tiedValues(random, w * h);
      const label = `trial ${trial}: ${w}×${h} d${d} L${length}`;
      const js = open(false, src, w, h, d, length);
      expect(sameBytes(open(true, src, w, h, d, length), js), `SIMD, ${label}`).toBe(true);
      expect(sameBytes(js, referenceLineOpening(src, w, h, d, length)), `JavaScript, ${label}`).toBe(true);
    }
  });

  it('openAlongLine matches on signed zeros and infinities, widths around multiples of 4, short and long segments', () => {
    const random = mulberry32(102);
    for (const w of [MIN_SIDE - 1, MIN_SIDE, 9, 11, 12, 13, 30, 67]) {
      for (const h of [MIN_SIDE, 10, 33]) {
        for (const length of [1, 3, 5, 17, 2 * Math.max(w, h) + 1]) {
          for (let d = 0; d < 4; d++) {
            const src = awkwardValues(random, w * h);
            const js = open(false, src, w, h, d as LineDirection, length);
            expect(sameBytes(open(true, src, w, h, d as LineDirection, length), js), `${w}×${h} d${d} L${length}`).toBe(true);
          }
        }
      }
    }
  });

  it('openAlongLine matches on a raster of many blocks (300×200, the detector\u2019s segment lengths)', () => {
    const random = mulberry32(103);
    const [w, h] = [301, 203];
    const src = new Float32Array(w * h).map(() => random() * 2 - 0.5);
    for (let d = 0; d < 4; d++) {
      for (const length of [7, 61]) {
        const js = open(false, src, w, h, d as LineDirection, length);
        expect(sameBytes(open(true, src, w, h, d as LineDirection, length), js), `d${d} L${length}`).toBe(true);
      }
    }
  });

  it('buildingIndex matches on random rasters and segment lengths', () => {
    const random = mulberry32(104);
    for (let trial = 0; trial < 60; trial++) {
      const w = 1 + Math.floor(random() * 70);
      const h = 1 + Math.floor(random() * 70);
      const short = 1 + 2 * Math.floor(random() * 5);
      const long = short + 2 * Math.floor(random() * 40);
      const src = trial % 3 === 2 ? awkwardValues(random, w * h) : new Float32Array(w * h).map(() => random() * 3 - 1);
      const label = `trial ${trial}: ${w}×${h} ${short}/${long}`;
      const js = index(false, src, w, h, short, long);
      expect(sameBytes(index(true, src, w, h, short, long), js), `SIMD, ${label}`).toBe(true);
      if (trial % 3 !== 2) {
        const expected = new Float32Array(w * h);
        referenceBuildingIndex(src, w, h, short, long, expected);
        expect(sameBytes(js, expected), `JavaScript, ${label}`).toBe(true);
      }
    }
  });

  it('buildingIndex matches on a 256×190 window with the detector\u2019s 7/61 segments', () => {
    const random = mulberry32(105);
    const [w, h] = [257, 190];
    const src = new Float32Array(w * h).map(() => random());
    expect(sameBytes(index(true, src, w, h, 7, 61), index(false, src, w, h, 7, 61))).toBe(true);
  });
});
