import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32, randomInt, type Random } from '../kernels/test-random.js';
import { validate } from '../kernels/wasm/runtime.js';
import { type Samples, copyToPlanes } from './copy-kernels.js';
import { copyToPlanesSimd, deinterleaveModule, deinterleaveSimdAvailable, setDeinterleaveSimd } from './deinterleave-simd.js';
import { MAX_SIMD_SPP } from './planes-simd.js';

type Kind = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32';
const ARRAYS = { u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, u32: Uint32Array, i32: Int32Array, f32: Float32Array } as const;
const WIDTH: Record<Kind, 1 | 2 | 4> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4 };

/** De-interleaving the plain way: one sample at a time. */
function reference(src: Samples, start: number, rowStride: number, spp: number, out: Samples, dst: number, planeSize: number, dstRowStride: number, cols: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    for (let x = 0; x < cols; x++) {
      for (let b = 0; b < spp; b++) out[dst + b * planeSize + r * dstRowStride + x] = src[start + r * rowStride + x * spp + b]!;
    }
  }
}

interface Case {
  src: Kind;
  out: Kind;
  spp: number;
  cols: number;
  rows: number;
  /** samples between rows beyond cols·spp (a window inside a wider block) */
  rowPadding: number;
  start: number;
  dst: number;
  dstRowStride: number;
  planeSize: number;
}

function randomCase(random: Random, src: Kind, out: Kind, spp: number): Case {
  const cols = random() < 0.3 ? randomInt(random, 1, 9) : random() < 0.8 ? randomInt(random, 10, 80) : randomInt(random, 500, 520);
  const rows = randomInt(random, 1, 6);
  const dstRowStride = random() < 0.5 ? cols : cols + randomInt(random, 1, 9);
  return {
    src,
    out,
    spp,
    cols,
    rows,
    rowPadding: random() < 0.5 ? 0 : randomInt(random, 1, 3 * spp),
    start: random() < 0.5 ? 0 : randomInt(random, 1, 40),
    dst: random() < 0.6 ? 0 : randomInt(random, 1, 40),
    dstRowStride,
    planeSize: rows * dstRowStride + (random() < 0.5 ? 0 : randomInt(random, 1, 9)),
  };
}

const rowStrideOf = (c: Case) => c.cols * c.spp + c.rowPadding;

/** Random samples of any bits (float32: any finite value or ±Infinity, no NaN, whose bits a JavaScript copy may change). */
function inputOf(random: Random, c: Case): Samples & ArrayBufferView {
  const length = c.start + (c.rows - 1) * rowStrideOf(c) + c.cols * c.spp;
  const src = new ARRAYS[c.src](length);
  const bits = new Uint8Array(src.buffer);
  for (let i = 0; i < bits.length; i++) bits[i] = randomInt(random, 0, 255);
  if (src instanceof Float32Array) for (let i = 0; i < length; i++) if (Number.isNaN(src[i])) src[i] = i;
  return src;
}

function outputOf(c: Case): Samples & ArrayBufferView {
  const out = new ARRAYS[c.out](c.dst + c.spp * c.planeSize);
  new Uint8Array(out.buffer).fill(0x5a); // every sample not written must stay as it was
  return out;
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function check(c: Case, seed: number): void {
  const src = inputOf(mulberry32(seed), c);
  const expected = outputOf(c);
  reference(src, c.start, rowStrideOf(c), c.spp, expected, c.dst, c.planeSize, c.dstRowStride, c.cols, c.rows);
  const label = `seed ${seed}: ${JSON.stringify(c)}`;
  for (const simd of [false, true]) {
    setDeinterleaveSimd(simd);
    const out = outputOf(c);
    copyToPlanes(src, c.start, rowStrideOf(c), c.spp, out, c.dst, c.planeSize, c.dstRowStride, c.cols, c.rows);
    expect(bytesOf(out).equals(bytesOf(expected)), `${simd ? 'SIMD' : 'JavaScript loops'}, ${label}`).toBe(true);
  }
}

describe('de-interleaving block rows into band planes on WebAssembly SIMD: the values of the JavaScript loops', () => {
  afterAll(() => setDeinterleaveSimd(true));

  it('generates a valid module for 8-, 16- and 32-bit samples, 2 … 8 a pixel, and takes the kernel only where a bit copy is the value copy', () => {
    for (const bytes of [1, 2, 4] as const) for (let spp = 2; spp <= MAX_SIMD_SPP; spp++) expect(validate(deinterleaveModule(bytes, spp)), `${bytes} bytes, spp ${spp}`).toBe(true);
    const u16 = new Uint16Array(64);
    expect(deinterleaveSimdAvailable(u16, new Int16Array(64), 4)).toBe(true);
    expect(deinterleaveSimdAvailable(new Float32Array(8), new Float32Array(8), 2)).toBe(true);
    expect(deinterleaveSimdAvailable(new Float32Array(8), new Int32Array(8), 2)).toBe(false); // values convert
    expect(deinterleaveSimdAvailable(new Int32Array(8), new Float32Array(8), 2)).toBe(false);
    expect(deinterleaveSimdAvailable(u16, new Uint8Array(64), 4)).toBe(false);
    expect(deinterleaveSimdAvailable(new Uint8Array(8), new Uint8ClampedArray(8), 2)).toBe(false);
    expect(deinterleaveSimdAvailable(new Float64Array(8), new Float64Array(8), 2)).toBe(false);
    expect(deinterleaveSimdAvailable(u16, u16, 1)).toBe(false); // one band: TypedArray.set
    expect(deinterleaveSimdAvailable(u16, u16, MAX_SIMD_SPP + 1)).toBe(false);
    expect(copyToPlanesSimd(u16, 0, 8, MAX_SIMD_SPP + 1, new Uint16Array(64), 0, 4, 4, 4, 1)).toBe(false);
    setDeinterleaveSimd(false);
    expect(deinterleaveSimdAvailable(u16, u16, 4)).toBe(false);
    setDeinterleaveSimd(true);
  });

  it('matches on random rows: every sample type and count, short and odd widths, strides, offsets', () => {
    const pairs: Array<[Kind, Kind]> = [['u8', 'u8'], ['u8', 'i8'], ['u16', 'u16'], ['i16', 'u16'], ['u32', 'i32'], ['i32', 'i32'], ['f32', 'f32']];
    let seed = 1;
    for (const [src, out] of pairs) {
      for (let spp = 2; spp <= MAX_SIMD_SPP + 1; spp++) {
        const random = mulberry32(100 * WIDTH[src] + spp);
        for (let i = 0; i < 12; i++) check(randomCase(random, src, out, spp), seed++);
      }
    }
  });

  it('matches on a whole 512×512 JPEG tile of RGB (an orthophoto) and on 4-band uint16 rows wider than a chunk', () => {
    check({ src: 'u8', out: 'u8', spp: 3, cols: 512, rows: 512, rowPadding: 0, start: 0, dst: 0, dstRowStride: 512, planeSize: 512 * 512 }, 7);
    check({ src: 'u8', out: 'u8', spp: 3, cols: 37, rows: 512, rowPadding: 3 * 475, start: 3 * 475, dst: 5, dstRowStride: 40, planeSize: 512 * 40 }, 8);
    check({ src: 'u16', out: 'u16', spp: 4, cols: 40_001, rows: 3, rowPadding: 7, start: 4, dst: 2, dstRowStride: 40_001, planeSize: 3 * 40_001 }, 9);
  });

  it('keeps a float32 NaN unusable (NaN) in its plane', () => {
    const src = new Float32Array([1, NaN, 3, 4, NaN, 6, 7, 8]);
    const out = new Float32Array(8);
    expect(copyToPlanesSimd(src, 0, 8, 2, out, 0, 4, 4, 4, 1)).toBe(true);
    expect(Array.from(out)).toEqual([1, 3, NaN, 7, NaN, 4, 6, 8]);
  });
});
