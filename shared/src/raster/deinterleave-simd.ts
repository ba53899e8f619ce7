/**
 * copyToPlanes for pixel-interleaved samples (copy-kernels.ts: block rows of `spp` samples a pixel into
 * band planes) in WebAssembly fixed-width SIMD: 8-, 16- and 32-bit samples, 2 … MAX_SIMD_SPP a pixel.
 * One module per (sample width, samples per pixel), generated at run time with the emitter in
 * ../kernels/wasm/, compiled on first use in each thread, then cached.
 *
 * Why: the JavaScript loops move one sample per load and store, at a stride, about 1.5 ns a sample
 * (4.5 ns a pixel of an RGB drone orthophoto's JPEG tiles, 10 % of `shoutu detect` on one); here a group
 * of L pixels (16 bytes a vector) is loaded as spp vectors and shuffled into one vector per band
 * (planes-simd.ts, as the Predictor 2 kernel does after its sums).
 *
 * The copy is of the samples' bits, so `src` and `out` must have the same sample width and both hold
 * integers, or both float32: then each value is what the JavaScript loops store (integers of one width
 * convert by wrapping, which keeps the bits). A float32 NaN keeps its payload bits here, where the
 * loops may quiet it; NaN is unusable either way.
 */

import { type FunctionBuilder, type Local, ModuleBuilder, v128 } from '../kernels/wasm/builder.js';
import { hasSimd } from '../kernels/wasm/runtime.js';
import type { Samples } from './copy-kernels.js';
import { MAX_SIMD_SPP, ROWS_PARAMS, type RowsParams, type Tracked, emitRowsToPlanes, rowsKernels, outsideLinearMemory, rowsToPlanesSimd } from './planes-simd.js';

/** copy(src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, 0, g1): emitRowsToPlanes with plain loads. */
function emitCopy(f: FunctionBuilder<RowsParams>, bytes: 1 | 2 | 4, spp: number): void {
  const L = 16 / bytes;
  const group = (inAt: Local<'i32'>): Tracked[] =>
    Array.from({ length: spp }, (_, k) => ({ value: f.let(v128.load(f.get(inAt), 16 * k)), samples: Array.from({ length: L }, (_, i) => k * L + i) }));
  emitRowsToPlanes(f, bytes, spp, { startRow: () => {}, group });
}

/** The module for samples of `bytes` bytes, `spp` per pixel (exported for the tests, which validate it). */
export function deinterleaveModule(bytes: 1 | 2 | 4, spp: number): Uint8Array {
  if (!Number.isInteger(spp) || spp < 2 || spp > MAX_SIMD_SPP) throw new RangeError(`no de-interleave kernel for ${spp} samples per pixel`);
  const m = new ModuleBuilder();
  m.function('copy', ROWS_PARAMS, (f) => emitCopy(f, bytes, spp));
  return m.encode();
}

const kernel = rowsKernels<1 | 2 | 4>('copy', deinterleaveModule);

let simdEnabled = true;

/**
 * Whether copyToPlanes may use the SIMD kernels (the default, where the engine has SIMD) or always runs
 * the JavaScript loops. Both write the same values; the switch exists for the tests and the benchmarks.
 */
export function setDeinterleaveSimd(enabled: boolean): void {
  simdEnabled = enabled;
}

/** Sample width in bytes of an array the kernels take (integers of 1, 2, 4 bytes, or float32), else 0. */
function widthOf(samples: Samples): 0 | 1 | 2 | 4 {
  if (samples instanceof Uint8Array || samples instanceof Int8Array || samples instanceof Uint8ClampedArray) return 1;
  if (samples instanceof Uint16Array || samples instanceof Int16Array) return 2;
  if (samples instanceof Uint32Array || samples instanceof Int32Array || samples instanceof Float32Array) return 4;
  return 0;
}

/** True when `spp` samples a pixel of `src` into `out` take the SIMD kernel. */
export function deinterleaveSimdAvailable(src: Samples, out: Samples, spp: number): boolean {
  const bytes = widthOf(src);
  return (
    simdEnabled &&
    bytes !== 0 &&
    widthOf(out) === bytes &&
    src instanceof Float32Array === out instanceof Float32Array &&
    !(out instanceof Uint8ClampedArray) && // its stores clamp instead of wrapping
    spp >= 2 &&
    spp <= MAX_SIMD_SPP &&
    hasSimd()
  );
}

/**
 * copyToPlanes on the SIMD kernel when it applies (deinterleaveSimdAvailable, neither array in linear
 * memory); returns false, having done nothing, when it does not. Same arguments and result as
 * copyToPlanes: `rows` × `cols` pixels from `src` (first sample at `start`, rows `rowStride` samples
 * apart) to out[dst + b·planeSize + r·dstRowStride + x].
 */
export function copyToPlanesSimd(
  src: Samples,
  start: number,
  rowStride: number,
  spp: number,
  out: Samples,
  dst: number,
  planeSize: number,
  dstRowStride: number,
  cols: number,
  rows: number,
): boolean {
  if (!deinterleaveSimdAvailable(src, out, spp) || !outsideLinearMemory(src) || !outsideLinearMemory(out)) return false;
  if (rows <= 0 || cols <= 0) return true;
  const bytes = widthOf(src) as 1 | 2 | 4;
  rowsToPlanesSimd(kernel(bytes, spp), bytes, spp, src as unknown as ArrayBufferView, start, rowStride, 0, cols, out as unknown as ArrayBufferView, dst, planeSize, dstRowStride, rows);
  return true;
}
