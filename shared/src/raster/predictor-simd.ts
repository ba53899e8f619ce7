/**
 * accumulateToPlanes (copy-kernels.ts: undo horizontal differencing, Predictor 2, while de-interleaving
 * block rows into band planes) in WebAssembly fixed-width SIMD, for 8- and 16-bit samples and 1 …
 * MAX_SIMD_SPP samples per pixel. One module per (sample width, samples per pixel), generated at run
 * time with the emitter in ../kernels/wasm/, compiled on first use in each thread, then cached.
 *
 * Why: the JavaScript kernel adds one sample per operation (about 1.2 ns a sample on 4-band uint16);
 * after zlib it is the largest part of decoding a DEFLATE + predictor block. Here a vector holds 16
 * bytes of a row: 8 uint16 or 16 uint8 samples.
 *
 * Method, for a row read from column 0 in groups of L pixels (L = 16 / bytes per sample lanes), that is
 * `spp` vectors a group:
 * - prefix sum inside a vector, per band: lanes spp apart belong to the same band, so adding the vector
 *   shifted by spp lanes, then by 2·spp, 4·spp … (while less than L) leaves in every lane the sum of its
 *   band's samples from the vector's start to that lane;
 * - plus the carry: lane i of the carry holds the running sum of lane i's band up to the previous
 *   vector, which is lane L − spp + (i mod spp) of the previous vector's result (one shuffle);
 * - i8x16.add / i16x8.add wrap modulo 2^8 / 2^16, which is Predictor 2's arithmetic, so every lane holds
 *   exactly what the JavaScript kernel's int32 sum stores;
 * - the group's spp vectors are de-interleaved into one vector per band and stored to the band planes
 *   (planes-simd.ts, shared with the plain de-interleave of deinterleave-simd.ts). Groups before the
 *   window's first column only advance the carry.
 *
 * Memory (the thread's one linear memory, wasm/runtime.ts): a chunk of block rows copied in, then its
 * output planes, from which the window's rows are copied out (planes-simd.ts rowsToPlanesSimd).
 */

import { type Expr, type FunctionBuilder, type Local, ModuleBuilder, i16x8, i8x16, v128 } from '../kernels/wasm/builder.js';
import { hasSimd } from '../kernels/wasm/runtime.js';
import type { Samples } from './copy-kernels.js';
import { MAX_SIMD_SPP, ROWS_PARAMS, type RowsParams, type Tracked, emitRowsToPlanes, rowsKernels, laneShuffle, outsideLinearMemory, rowsToPlanesSimd } from './planes-simd.js';

export { MAX_SIMD_SPP };

type V = Expr<'v128'>;

/**
 * accumulate(src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, g0, g1), addresses in bytes: for
 * each of `rows` rows (row r at src + r·srcRowBytes, pixel-interleaved), accumulates groups 0 … g1−1
 * of L pixels and stores groups g0 … g1−1 to the planes: band b of pixel x of row r at dst +
 * b·planeBytes + r·dstRowBytes + (x − g0·L)·bytes. Needs g1 > g0 ≥ 0. Reads whole groups (the last one
 * may run past the row) and writes whole vectors (up to L − 1 pixels past the last one asked for).
 */
function emitAccumulate(f: FunctionBuilder<RowsParams>, bytes: 1 | 2, spp: number): void {
  const L = 16 / bytes;
  const add = bytes === 1 ? i8x16.add : i16x8.add;
  const get = <T extends 'i32' | 'v128'>(l: Local<T>) => f.get(l);
  const zero = f.let(v128.const(new Uint8Array(16)));
  const shuffle = (a: V, b: V, picks: ReadonlyArray<readonly [0 | 1, number]>): V => v128.shuffle(a, b, laneShuffle(bytes, picks));
  const lanes = (pick: (i: number) => readonly [0 | 1, number]) => Array.from({ length: L }, (_, i) => pick(i));
  /** v shifted up by k lanes, zeros shifted in (byte-consecutive, so a single align instruction). */
  const shifted = (v: V, k: number): V => shuffle(get(zero), v, lanes((i) => (i < k ? [0, L - k + i] : [1, i - k])));
  /** Lane i: lane L − spp + (i mod spp) of v (the last pixel's samples, repeated in band order). */
  const lastPixel = (v: V): V => shuffle(v, v, lanes((i) => [0, L - spp + (i % spp)]));
  // A lane's band is the same in every vector when L is a multiple of spp: the carry then runs on
  // adds alone (carry += last pixel of the in-vector sums), off the path to the results.
  const bandsAligned = L % spp === 0;
  const carry = f.local('v128');

  /** Loads the group at inAt and returns its spp vectors accumulated (carry updated). */
  const accumulateGroup = (inAt: Local<'i32'>): Tracked[] =>
    Array.from({ length: spp }, (_, k) => {
      const x = f.let(v128.load(get(inAt), 16 * k));
      for (let s = spp; s < L; s *= 2) f.set(x, add(get(x), shifted(get(x), s)));
      const sum = f.let(add(get(x), get(carry)));
      f.set(carry, bandsAligned ? add(get(carry), lastPixel(get(x))) : lastPixel(get(sum)));
      return { value: sum, samples: Array.from({ length: L }, (_, i) => k * L + i) };
    });

  emitRowsToPlanes(f, bytes, spp, {
    startRow: () => f.set(carry, get(zero)),
    group: accumulateGroup,
    skip: (inAt) => void accumulateGroup(inAt),
  });
}

/** The module for samples of `bytes` bytes, `spp` per pixel (exported for the tests, which validate it). */
export function predictorModule(bytes: 1 | 2, spp: number): Uint8Array {
  if (!Number.isInteger(spp) || spp < 1 || spp > MAX_SIMD_SPP) throw new RangeError(`no predictor kernel for ${spp} samples per pixel`);
  const m = new ModuleBuilder();
  m.function('accumulate', ROWS_PARAMS, (f) => emitAccumulate(f, bytes, spp));
  return m.encode();
}

const kernel = rowsKernels<1 | 2>('accumulate', predictorModule);

let simdEnabled = true;

/**
 * Whether accumulateToPlanes may use the SIMD kernels (the default, where the engine has SIMD) or
 * always runs the JavaScript loops. Both write the same bytes; the switch exists for the tests and the
 * benchmarks, which compare them.
 */
export function setPredictorSimd(enabled: boolean): void {
  simdEnabled = enabled;
}

/** True when blocks of `bytesPerSample`-byte samples, `spp` per pixel, take the SIMD kernel. */
export function predictorSimdAvailable(bytesPerSample: number, spp: number): boolean {
  return simdEnabled && (bytesPerSample === 1 || bytesPerSample === 2) && spp >= 1 && spp <= MAX_SIMD_SPP && hasSimd();
}

/**
 * accumulateToPlanes on the SIMD kernel, when it applies (predictorSimdAvailable; `src` a Uint8Array
 * or Uint16Array, `out` a typed array of the same sample width, neither in linear memory); returns false,
 * having done nothing, when it does not. Same arguments and result as accumulateToPlanes. Rows go in
 * chunks (CHUNK_BYTES): copied in, accumulated, copied out.
 */
export function accumulateToPlanesSimd(
  src: Samples,
  first: number,
  rowStride: number,
  spp: number,
  c0: number,
  c1: number,
  out: Samples,
  dst: number,
  planeSize: number,
  dstRowStride: number,
  rows: number,
): boolean {
  const bytes = src instanceof Uint16Array ? 2 : src instanceof Uint8Array ? 1 : 0;
  if (bytes === 0 || !predictorSimdAvailable(bytes, spp) || !ArrayBuffer.isView(out) || (out as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT !== bytes) return false;
  if (!outsideLinearMemory(src) || !outsideLinearMemory(out)) return false;
  if (rows <= 0 || c1 <= c0) return true;
  rowsToPlanesSimd(kernel(bytes, spp), bytes, spp, src as unknown as ArrayBufferView, first, rowStride, c0, c1, out as unknown as ArrayBufferView, dst, planeSize, dstRowStride, rows);
  return true;
}
