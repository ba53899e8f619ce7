/**
 * Inner loops that move decoded block rows into planar (band-sequential) window arrays.
 *
 * A block row holds `spp` interleaved samples per pixel (chunky; spp = 1 for planar blocks). The loops
 * handle up to four bands ("lanes") per pass over a row, with one source stride, so a row is read a
 * few times at most and every pass writes sequentially into up to four output planes.
 */

import { copyToPlanesSimd } from './deinterleave-simd.js';
import { accumulateToPlanesSimd } from './predictor-simd.js';

/** The typed-array operations the loops use (every typed array has them). */
export interface Samples {
  [index: number]: number;
  readonly length: number;
  set(array: ArrayLike<number>, offset?: number): void;
  subarray(begin?: number, end?: number): Samples;
  fill(value: number, start?: number, end?: number): unknown;
}

/** Rows narrower than this are copied value by value: for a halo's 3-pixel strips of the neighbouring
 *  chunks, a subarray + set per row (a view object each) cost more than the values it copies. */
const NARROW_COLUMNS = 64;

/**
 * Copies `rows` x `cols` pixels of `spp` interleaved samples from `src` (first sample at `start`, rows
 * `rowStride` samples apart) to planes of `out`: band b of pixel (x, r) goes to
 * out[dst + b*planeSize + r*dstRowStride + x]. `src` and `out` must be of the same sample type, except
 * for spp = 1, where values convert as TypedArray.set converts them (e.g. uint16 chunks into a float32
 * halo window). 2 to 8 interleaved samples of 8, 16 or 32 bits run on the WebAssembly SIMD kernel where
 * the engine has SIMD (deinterleave-simd.ts; setDeinterleaveSimd(false) forces these loops).
 */
export function copyToPlanes(
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
): void {
  if (spp === 1) {
    if (cols === rowStride && cols === dstRowStride) {
      out.set(src.subarray(start, start + rows * cols), dst);
      return;
    }
    if (cols < NARROW_COLUMNS) {
      for (let r = 0; r < rows; r++) {
        const s = start + r * rowStride;
        const d = dst + r * dstRowStride;
        for (let x = 0; x < cols; x++) out[d + x] = src[s + x]!;
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      const s = start + r * rowStride;
      out.set(src.subarray(s, s + cols), dst + r * dstRowStride);
    }
    return;
  }
  if (copyToPlanesSimd(src, start, rowStride, spp, out, dst, planeSize, dstRowStride, cols, rows)) return;
  let b = 0;
  for (; b + 4 <= spp; b += 4) copyLanes4(src, start + b, rowStride, spp, out, dst + b * planeSize, planeSize, dstRowStride, cols, rows);
  if (b + 2 <= spp) {
    copyLanes2(src, start + b, rowStride, spp, out, dst + b * planeSize, planeSize, dstRowStride, cols, rows);
    b += 2;
  }
  if (b < spp) copyLanes1(src, start + b, rowStride, spp, out, dst + b * planeSize, dstRowStride, cols, rows);
}

function copyLanes4(src: Samples, start: number, rowStride: number, stride: number, out: Samples, dst: number, plane: number, dstRowStride: number, cols: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let s = start + r * rowStride;
    const d0 = dst + r * dstRowStride;
    const d1 = d0 + plane;
    const d2 = d1 + plane;
    const d3 = d2 + plane;
    for (let x = 0; x < cols; x++) {
      out[d0 + x] = src[s]!;
      out[d1 + x] = src[s + 1]!;
      out[d2 + x] = src[s + 2]!;
      out[d3 + x] = src[s + 3]!;
      s += stride;
    }
  }
}

function copyLanes2(src: Samples, start: number, rowStride: number, stride: number, out: Samples, dst: number, plane: number, dstRowStride: number, cols: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let s = start + r * rowStride;
    const d0 = dst + r * dstRowStride;
    const d1 = d0 + plane;
    for (let x = 0; x < cols; x++) {
      out[d0 + x] = src[s]!;
      out[d1 + x] = src[s + 1]!;
      s += stride;
    }
  }
}

/**
 * One band of pixel-interleaved samples (`stride` a pixel, the band's first sample at `start`, rows `rowStride`
 * apart) into one plane of `out` (rows `dstRowStride` apart from `dst`): a read of some of a file's bands.
 */
export function copyLaneToPlane(src: Samples, start: number, rowStride: number, stride: number, out: Samples, dst: number, dstRowStride: number, cols: number, rows: number): void {
  if (stride === 1) copyToPlanes(src, start, rowStride, 1, out, dst, 0, dstRowStride, cols, rows);
  else copyLanes1(src, start, rowStride, stride, out, dst, dstRowStride, cols, rows);
}

function copyLanes1(src: Samples, start: number, rowStride: number, stride: number, out: Samples, dst: number, dstRowStride: number, cols: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let s = start + r * rowStride;
    const d0 = dst + r * dstRowStride;
    for (let x = 0; x < cols; x++) {
      out[d0 + x] = src[s]!;
      s += stride;
    }
  }
}

/**
 * Undoes horizontal differencing (Predictor 2) while copying, without modifying `src`: `src` is an
 * unsigned view (8/16/32-bit, host byte order) of block rows `rowStride` samples apart, the first at
 * `first`; each row is accumulated from column 0 per band (sample i += sample i - spp, modulo 2^bits) and
 * columns [c0, c1) are written to the planes of `out` as copyToPlanes does. `out` must be an integer
 * array of the same width (signed or unsigned: the store wraps to the right value either way).
 * 8- and 16-bit samples, up to 8 per pixel, run on the WebAssembly SIMD kernel where the engine has
 * SIMD (predictor-simd.ts; same bytes; setPredictorSimd(false) forces these loops).
 */
export function accumulateToPlanes(
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
): void {
  if (accumulateToPlanesSimd(src, first, rowStride, spp, c0, c1, out, dst, planeSize, dstRowStride, rows)) return;
  accumulateLanesToPlanes(src, first, rowStride, spp, null, c0, c1, out, dst, planeSize, dstRowStride, rows);
}

/**
 * accumulateToPlanes on the JavaScript loops, for some of the interleaved bands: band `lanes[k]` (ascending;
 * null: every band) of each pixel goes to plane k of `out`, the others are neither accumulated nor copied.
 * Runs of consecutive bands share a pass over the rows (up to four a pass). Why: a read of some of a
 * pixel-interleaved file's bands (a many-band pair's detect pass) then undoes the differencing of those
 * bands only, in the pass that de-interleaves them, instead of undoing it for every band in place and
 * copying the chosen ones out after.
 */
export function accumulateLanesToPlanes(
  src: Samples,
  first: number,
  rowStride: number,
  spp: number,
  lanes: readonly number[] | null,
  c0: number,
  c1: number,
  out: Samples,
  dst: number,
  planeSize: number,
  dstRowStride: number,
  rows: number,
): void {
  const count = lanes === null ? spp : lanes.length;
  const lane = (k: number) => (lanes === null ? k : lanes[k]!);
  let k = 0;
  while (k < count) {
    let run = 1;
    while (run < 4 && k + run < count && lane(k + run) === lane(k) + run) run++;
    const from = first + lane(k);
    const to = dst + k * planeSize;
    if (run === 4) accumulateLanes4(src, from, rowStride, spp, c0, c1, out, to, planeSize, dstRowStride, rows);
    else if (run >= 2) accumulateLanes2(src, from, rowStride, spp, c0, c1, out, to, planeSize, dstRowStride, rows);
    else accumulateLanes1(src, from, rowStride, spp, c0, c1, out, to, dstRowStride, rows);
    k += run === 3 ? 2 : run;
  }
}

// Sums are kept as int32 (| 0): congruent to the true sum modulo 2^32, hence modulo 2^8 and 2^16, and
// typed-array stores reduce them to the array's width.

function accumulateLanes4(src: Samples, first: number, rowStride: number, stride: number, c0: number, c1: number, out: Samples, dst: number, plane: number, dstRowStride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let i = first + r * rowStride;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let x = 0; x < c0; x++) {
      a0 = (a0 + src[i]!) | 0;
      a1 = (a1 + src[i + 1]!) | 0;
      a2 = (a2 + src[i + 2]!) | 0;
      a3 = (a3 + src[i + 3]!) | 0;
      i += stride;
    }
    const d0 = dst + r * dstRowStride - c0;
    const d1 = d0 + plane;
    const d2 = d1 + plane;
    const d3 = d2 + plane;
    for (let x = c0; x < c1; x++) {
      a0 = (a0 + src[i]!) | 0;
      a1 = (a1 + src[i + 1]!) | 0;
      a2 = (a2 + src[i + 2]!) | 0;
      a3 = (a3 + src[i + 3]!) | 0;
      out[d0 + x] = a0;
      out[d1 + x] = a1;
      out[d2 + x] = a2;
      out[d3 + x] = a3;
      i += stride;
    }
  }
}

function accumulateLanes2(src: Samples, first: number, rowStride: number, stride: number, c0: number, c1: number, out: Samples, dst: number, plane: number, dstRowStride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let i = first + r * rowStride;
    let a0 = 0;
    let a1 = 0;
    for (let x = 0; x < c0; x++) {
      a0 = (a0 + src[i]!) | 0;
      a1 = (a1 + src[i + 1]!) | 0;
      i += stride;
    }
    const d0 = dst + r * dstRowStride - c0;
    const d1 = d0 + plane;
    for (let x = c0; x < c1; x++) {
      a0 = (a0 + src[i]!) | 0;
      a1 = (a1 + src[i + 1]!) | 0;
      out[d0 + x] = a0;
      out[d1 + x] = a1;
      i += stride;
    }
  }
}

function accumulateLanes1(src: Samples, first: number, rowStride: number, stride: number, c0: number, c1: number, out: Samples, dst: number, dstRowStride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    let i = first + r * rowStride;
    let a0 = 0;
    for (let x = 0; x < c0; x++) {
      a0 = (a0 + src[i]!) | 0;
      i += stride;
    }
    const d0 = dst + r * dstRowStride - c0;
    for (let x = c0; x < c1; x++) {
      a0 = (a0 + src[i]!) | 0;
      out[d0 + x] = a0;
      i += stride;
    }
  }
}
