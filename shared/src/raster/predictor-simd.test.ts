import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32, randomInt, type Random } from '../kernels/test-random.js';
import { validate } from '../kernels/wasm/runtime.js';
import { type Samples, accumulateLanesToPlanes, accumulateToPlanes } from './copy-kernels.js';
import { MAX_SIMD_SPP, accumulateToPlanesSimd, predictorModule, predictorSimdAvailable, setPredictorSimd } from './predictor-simd.js';

/** Predictor 2 undone the plain way: per row and band, a running sum modulo 2^bits from column 0. */
function reference(src: ArrayLike<number>, first: number, rowStride: number, spp: number, c0: number, c1: number, out: Samples, dst: number, planeSize: number, dstRowStride: number, rows: number, bits: number): void {
  const modulus = 2 ** bits;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < spp; b++) {
      let sum = 0;
      for (let x = 0; x < c1; x++) {
        sum = (sum + src[first + r * rowStride + x * spp + b]!) % modulus;
        if (x >= c0) out[dst + b * planeSize + r * dstRowStride + x - c0] = sum;
      }
    }
  }
}

interface Case {
  bytes: 1 | 2;
  signedOut: boolean;
  spp: number;
  width: number;
  rows: number;
  c0: number;
  c1: number;
  /** samples between rows beyond width·spp */
  rowPadding: number;
  first: number;
  dst: number;
  dstRowStride: number;
  planeSize: number;
}

function randomCase(random: Random, bytes: 1 | 2, spp: number): Case {
  const width = random() < 0.3 ? randomInt(random, 1, 9) : random() < 0.8 ? randomInt(random, 10, 80) : randomInt(random, 500, 520);
  const c0 = random() < 0.5 ? 0 : randomInt(random, 0, width - 1);
  const c1 = random() < 0.5 ? width : randomInt(random, c0 + 1, width);
  const rows = randomInt(random, 1, 6);
  const cols = c1 - c0;
  const dstRowStride = random() < 0.5 ? cols : cols + randomInt(random, 1, 9);
  return {
    bytes,
    signedOut: random() < 0.3,
    spp,
    width,
    rows,
    c0,
    c1,
    rowPadding: random() < 0.7 ? 0 : randomInt(random, 1, 7),
    first: random() < 0.6 ? 0 : randomInt(random, 1, 40),
    dst: random() < 0.6 ? 0 : randomInt(random, 1, 40),
    dstRowStride,
    planeSize: rows * dstRowStride + (random() < 0.5 ? 0 : randomInt(random, 1, 9)),
  };
}

function inputOf(random: Random, c: Case): Uint8Array | Uint16Array {
  const rowStride = c.width * c.spp + c.rowPadding;
  const length = c.first + (c.rows - 1) * rowStride + c.width * c.spp;
  const max = c.bytes === 1 ? 255 : 65535;
  const src = c.bytes === 1 ? new Uint8Array(length) : new Uint16Array(length);
  // mostly small differences (as in imagery), some of any size (sums wrap)
  for (let i = 0; i < length; i++) src[i] = random() < 0.7 ? randomInt(random, 0, 8) : randomInt(random, 0, max);
  return src;
}

function outputOf(c: Case): Samples & ArrayBufferView {
  const length = c.dst + c.spp * c.planeSize;
  const out = c.bytes === 1 ? (c.signedOut ? new Int8Array(length) : new Uint8Array(length)) : c.signedOut ? new Int16Array(length) : new Uint16Array(length);
  out.fill(0x5a); // every sample not written must stay as it was
  return out;
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The output on the path chosen (SIMD or the JavaScript loops), from `src`. */
function run(simd: boolean, c: Case, src: Uint8Array | Uint16Array): Samples & ArrayBufferView {
  setPredictorSimd(simd);
  const out = outputOf(c);
  accumulateToPlanes(src, c.first, c.width * c.spp + c.rowPadding, c.spp, c.c0, c.c1, out, c.dst, c.planeSize, c.dstRowStride, c.rows);
  return out;
}

function check(c: Case, seed: number): void {
  const src = inputOf(mulberry32(seed), c);
  const expected = outputOf(c);
  reference(src, c.first, c.width * c.spp + c.rowPadding, c.spp, c.c0, c.c1, expected, c.dst, c.planeSize, c.dstRowStride, c.rows, 8 * c.bytes);
  const js = run(false, c, src);
  const simd = run(true, c, src);
  const label = `seed ${seed}: ${JSON.stringify(c)}`;
  expect(bytesOf(js).equals(bytesOf(expected)), `JavaScript loops, ${label}`).toBe(true);
  expect(bytesOf(simd).equals(bytesOf(expected)), `SIMD, ${label}`).toBe(true);
}

describe('Predictor 2 on WebAssembly SIMD: the same bytes as the JavaScript loops', () => {
  afterAll(() => setPredictorSimd(true));

  it('generates a valid module for 8- and 16-bit samples, 1 … 8 per pixel, and takes the kernel only for those', () => {
    for (const bytes of [1, 2] as const) {
      for (let spp = 1; spp <= MAX_SIMD_SPP; spp++) {
        expect(validate(predictorModule(bytes, spp)), `${bytes} bytes, spp ${spp}`).toBe(true);
        expect(predictorSimdAvailable(bytes, spp)).toBe(true);
      }
      expect(predictorSimdAvailable(bytes, MAX_SIMD_SPP + 1)).toBe(false);
    }
    expect(predictorSimdAvailable(4, 1)).toBe(false);
    const out16 = new Uint16Array(16);
    expect(accumulateToPlanesSimd(new Uint16Array(16), 0, 16, 1, 0, 16, out16, 0, 16, 16, 1)).toBe(true);
    expect(accumulateToPlanesSimd(new Uint32Array(16), 0, 16, 1, 0, 16, new Uint32Array(16), 0, 16, 16, 1)).toBe(false);
    expect(accumulateToPlanesSimd(new Uint16Array(16), 0, 16, 1, 0, 16, new Float32Array(16) as unknown as Samples, 0, 16, 16, 1)).toBe(false);
    expect(accumulateToPlanesSimd(new Uint16Array(9 * 16), 0, 9 * 16, 9, 0, 16, new Uint16Array(9 * 16), 0, 16, 16, 1)).toBe(false);
    setPredictorSimd(false);
    expect(predictorSimdAvailable(2, 4)).toBe(false);
    setPredictorSimd(true);
  });

  it('matches on random rows: every sample width and count, odd and short widths, column windows, strides, offsets', () => {
    let seed = 1;
    for (const bytes of [1, 2] as const) {
      for (let spp = 1; spp <= MAX_SIMD_SPP + 1; spp++) {
        const random = mulberry32(1000 * bytes + spp);
        for (let i = 0; i < 25; i++) check(randomCase(random, bytes, spp), seed++);
      }
    }
  });

  it('matches on a whole 512×512 tile of 4 uint16 bands (the benchmark layout) and on its edge columns', () => {
    const base: Case = { bytes: 2, signedOut: false, spp: 4, width: 512, rows: 512, c0: 0, c1: 512, rowPadding: 0, first: 0, dst: 0, dstRowStride: 512, planeSize: 512 * 512 };
    check(base, 7);
    check({ ...base, rows: 3, c0: 0, c1: 37, dstRowStride: 37, planeSize: 3 * 37 }, 8);
    check({ ...base, rows: 3, c0: 475, c1: 512, dstRowStride: 37, planeSize: 3 * 37 }, 9);
    // rows in several chunks, copied out row by row
    check({ ...base, c0: 3, c1: 509, dstRowStride: 506, planeSize: 512 * 506 }, 10);
    check({ ...base, bytes: 1, c0: 0, c1: 500, dstRowStride: 500, planeSize: 512 * 500 }, 11);
  });

  it('matches on rows wider than a chunk (copied in one row at a time)', () => {
    check({ bytes: 2, signedOut: true, spp: 4, width: 40_001, rows: 3, c0: 0, c1: 40_001, rowPadding: 3, first: 5, dst: 2, dstRowStride: 40_001, planeSize: 3 * 40_001 }, 12);
    check({ bytes: 1, signedOut: false, spp: 3, width: 100_003, rows: 2, c0: 17, c1: 99_000, rowPadding: 0, first: 0, dst: 0, dstRowStride: 98_983, planeSize: 2 * 98_983 }, 13);
  });
});

describe('accumulateLanesToPlanes: Predictor 2 undone for some of the bands', () => {
  it('writes exactly the chosen bands\' planes of accumulateToPlanes, in their order, and nothing else', () => {
    const random = mulberry32(4242);
    for (let trial = 0; trial < 400; trial++) {
      const bytes = random() < 0.5 ? 1 : 2;
      const spp = randomInt(random, 1, 16);
      const c = randomCase(random, bytes, spp);
      // any ascending choice of bands: runs of consecutive bands (passes of 4, 2, 1) and gaps
      const lanes = Array.from({ length: spp }, (_, b) => b).filter(() => random() < 0.6);
      if (lanes.length === 0) lanes.push(randomInt(random, 0, spp - 1));
      const src = inputOf(random, c);
      const rowStride = c.width * c.spp + c.rowPadding;
      const every = outputOf(c);
      reference(src, c.first, rowStride, c.spp, c.c0, c.c1, every, c.dst, c.planeSize, c.dstRowStride, c.rows, 8 * c.bytes);
      const expected = outputOf(c);
      lanes.forEach((b, k) => expected.set(every.subarray(c.dst + b * c.planeSize, c.dst + (b + 1) * c.planeSize) as never, c.dst + k * c.planeSize));
      const got = outputOf(c);
      accumulateLanesToPlanes(src, c.first, rowStride, c.spp, lanes, c.c0, c.c1, got, c.dst, c.planeSize, c.dstRowStride, c.rows);
      expect(bytesOf(got).equals(bytesOf(expected)), `trial ${trial}: lanes ${lanes.join(',')} of ${JSON.stringify(c)}`).toBe(true);
    }
  });
});
