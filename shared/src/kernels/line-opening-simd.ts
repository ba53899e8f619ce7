/**
 * Line openings (line-opening.ts: openAlongLine) and the building index built on them (building-index.ts)
 * in WebAssembly fixed-width SIMD, generated at run time with the emitter in wasm/, compiled on first use in
 * each thread (each worker thread has its own module state, so its own module and memory), then cached.
 *
 * Why: the JavaScript passes select one sample per `v < p ? v : p`, which mispredicts on noisy imagery;
 * here f32x4.pmin selects four lanes per instruction without a branch. On the 2048² benchmark band
 * (7/61 px) the index runs about 6.6× the JavaScript passes' speed (49 against 7.4 Mpx/s, same run),
 * on a 640² detector window about 16× (the regions stay in the cache).
 *
 * Method: the JavaScript kernel's van Herk / Gil–Werman passes, run on four adjacent pixels of a row at a
 * time. For directions 1–3 every pass already runs along rows with a fixed index offset to the row above
 * or below (forward[i] = min(src[i], forward[i − step]), backward likewise, then per row
 * −min(backward[i − a], forward[i + b]) or one of the two alone), so the lanes are independent.
 * - Diagonal sides: each row is padded with `pad` ≥ radius columns of +∞ on both sides, so every column,
 *   the sides included, takes the row's one formula. A +∞ sample is never selected over a finite one
 *   (`v < +∞ ? v : +∞` is v, `+∞ < p ? +∞ : p` is p), the blocks are cut at the same rows and each line
 *   restarts at the padded raster's first (last) column, so the forward and backward runs at real pixels
 *   are the JavaScript kernel's bit for bit, and a window reaching into the padding selects what the
 *   JavaScript kernel selects on the clipped window, except in one case where it takes the same samples
 *   in the other order (so may keep −0 where JavaScript keeps +0): fixClippedLines recomputes those few
 *   pixels the JavaScript way.
 * - Direction 0 (horizontal): the JavaScript kernel's horizontal passes are its vertical passes on the
 *   transposed raster, operation for operation (blocks from column 0 become blocks from row 0; a window
 *   starting a block or the line takes the forward run, one across two blocks min(backward, forward),
 *   one inside a block away from its start the backward run). So the raster is transposed (4×4 tiles of
 *   shuffles, exact bit moves), opened vertically and transposed back.
 * - Row loops run over whole vectors from the first column and one last vector ending at the last column
 *   (overlapping the one before when the count is not a multiple of 4): lanes of one row do not depend on
 *   each other, so writing a lane twice writes the same value, and nothing outside the row is written.
 *   Rows narrower than MIN_SIDE take the JavaScript kernel.
 *
 * Exactness: pmin(a, b) = b < a ? b : a, so `v < p ? v : p` is pmin(p, v) and `p < q ? p : q` is
 * pmin(q, p): the same operand selected for every pair of inputs, equal values and signed zeros included
 * (min(+0, −0) keeps whichever the JavaScript kernel keeps). Negation flips the sign bit as JavaScript's
 * unary minus does. NaN (which the detector never passes): a comparison with NaN is false in both, so the
 * same operand is selected, but JavaScript may rewrite a NaN's payload bits when it stores one.
 * The building index's sums are JavaScript's: out + (short − long) in float64 (f64x2 lanes), rounded to
 * float32 on the store; the last sum is then × 0.25 in float32, which rounds the exact product once, as
 * JavaScript's float64 product (exact) stored to a Float32Array does.
 *
 * Memory: the thread's one linear memory (wasm/runtime.ts) holds the raster (padded) and every
 * intermediate: input, forward, backward, once-eroded, two openings and the sum, each a padded raster.
 * Rasters whose regions exceed MAX_SIMD_BYTES take the JavaScript kernel.
 */

import { type Expr, type FunctionBuilder, type Local, ModuleBuilder, f32x4, f64x2, i32, i32x4, storeI32, storeV128, v128 } from './wasm/builder.js';
import { hasSimd, inScratch, instantiate, threadMemory } from './wasm/runtime.js';

/** Smallest width and height the SIMD path takes (row loops need whole vectors). */
export const MIN_SIDE = 8;

/** Largest linear memory the SIMD path uses (beyond it the JavaScript kernel runs, needing no more memory than its caller gave it). */
export const MAX_SIMD_BYTES = 160 * 2 ** 20;

type I = Expr<'i32'>;
type V = Expr<'v128'>;
type PassParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const PASS_PARAMS: PassParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
type CombineParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const COMBINE_PARAMS: CombineParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
type TransposeParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const TRANSPOSE_PARAMS: TransposeParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
type SumParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const SUM_PARAMS: SumParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'];

/** Column steps per row of the directions handled along rows, in the order of the generated functions. */
const STEPS = [0, 1, -1] as const;

/**
 * body() for at = begin, begin + 16, … (bytes) while below end − 16, then for at = end − 16: every
 * lane in [begin, end) at least once, none outside. Needs end − begin ≥ 16.
 */
function rowVectors<P extends readonly 'i32'[]>(f: FunctionBuilder<P>, at: Local<'i32'>, last: Local<'i32'>, begin: I, end: I, body: () => void): void {
  f.set(last, i32.sub(end, i32.const(16)));
  f.set(at, begin);
  f.loop((next) => {
    body();
    f.set(at, i32.add(f.get(at), i32.const(16)));
    f.brIf(next, i32.ltS(f.get(at), f.get(last)));
  });
  f.set(at, f.get(last));
  body();
}

/**
 * forward(src, fwd, stride, height, block, begin, end), addresses in bytes, rows of `stride` floats, columns
 * begin … end − 1 (the lines' whole extent across the row): per row, a copy of src on rows that start a
 * block (y mod block = 0), else fwd[i] = min(src[i], fwd[i − step]) (pmin(fwd[i − step], src[i]) =
 * `v < p ? v : p`), the column where lines start (no sample above: `begin` for dx = 1, end − 1 for
 * dx = −1) restarted from src.
 */
function emitForward(f: FunctionBuilder<PassParams>, dx: number): void {
  const [src, fwd, stride, height, block, begin, end] = f.params;
  const get = (l: Local<'i32'>) => f.get(l);
  const rowBytes = f.let(i32.shl(get(stride), i32.const(2)));
  const step = f.let(i32.shl(i32.add(get(stride), i32.const(dx)), i32.const(2)));
  const from = f.let(i32.shl(get(begin), i32.const(2)));
  const to = f.let(i32.shl(get(end), i32.const(2)));
  const lineStart = f.let(dx > 0 ? get(from) : i32.sub(get(to), i32.const(4)));
  const s = f.let(get(src));
  const o = f.let(get(fwd));
  const y = f.local('i32');
  const phase = f.local('i32');
  const at = f.local('i32');
  const last = f.local('i32');
  f.when(i32.gtS(get(height), i32.const(0)), () => {
    f.loop((nextRow) => {
      f.when(i32.eqz(get(phase)), () => {
        rowVectors(f, at, last, get(from), get(to), () => f.do(storeV128(i32.add(get(o), get(at)), v128.load(i32.add(get(s), get(at))))));
      });
      f.when(i32.ne(get(phase), i32.const(0)), () => {
        rowVectors(f, at, last, dx > 0 ? i32.add(get(from), i32.const(4)) : get(from), dx < 0 ? i32.sub(get(to), i32.const(4)) : get(to), () => {
          const above = v128.load(i32.sub(i32.add(get(o), get(at)), get(step)));
          f.do(storeV128(i32.add(get(o), get(at)), f32x4.pmin(above, v128.load(i32.add(get(s), get(at))))));
        });
        if (dx !== 0) f.do(storeI32(i32.add(get(o), get(lineStart)), i32.load(i32.add(get(s), get(lineStart)))));
      });
      f.set(phase, i32.add(get(phase), i32.const(1)));
      f.when(i32.eq(get(phase), get(block)), () => f.set(phase, i32.const(0)));
      f.set(s, i32.add(get(s), get(rowBytes)));
      f.set(o, i32.add(get(o), get(rowBytes)));
      f.set(y, i32.add(get(y), i32.const(1)));
      f.brIf(nextRow, i32.ltS(get(y), get(height)));
    });
  });
}

/**
 * backward(src, bwd, stride, height, block, begin, end): from the last row up, a copy of src on rows that
 * end a block (y mod block = block − 1) or the raster, else bwd[i] = min(src[i], bwd[i + step]), the
 * column where lines end (no sample below: end − 1 for dx = 1, `begin` for dx = −1) restarted from src.
 */
function emitBackward(f: FunctionBuilder<PassParams>, dx: number): void {
  const [src, bwd, stride, height, block, begin, end] = f.params;
  const get = (l: Local<'i32'>) => f.get(l);
  const rowBytes = f.let(i32.shl(get(stride), i32.const(2)));
  const step = f.let(i32.shl(i32.add(get(stride), i32.const(dx)), i32.const(2)));
  const from = f.let(i32.shl(get(begin), i32.const(2)));
  const to = f.let(i32.shl(get(end), i32.const(2)));
  const lineEnd = f.let(dx > 0 ? i32.sub(get(to), i32.const(4)) : get(from));
  const y = f.let(i32.sub(get(height), i32.const(1)));
  const s = f.let(i32.add(get(src), i32.mul(get(y), get(rowBytes))));
  const o = f.let(i32.add(get(bwd), i32.mul(get(y), get(rowBytes))));
  const lastRow = f.let(get(y));
  const blockEnd = f.let(i32.sub(get(block), i32.const(1)));
  const at = f.local('i32');
  const last = f.local('i32');
  const copies = f.local('i32');
  f.when(i32.gtS(get(height), i32.const(0)), () => {
    f.loop((nextRow) => {
      f.set(copies, i32.or(i32.eq(i32.remU(get(y), get(block)), get(blockEnd)), i32.eq(get(y), get(lastRow))));
      f.when(get(copies), () => {
        rowVectors(f, at, last, get(from), get(to), () => f.do(storeV128(i32.add(get(o), get(at)), v128.load(i32.add(get(s), get(at))))));
      });
      f.when(i32.eqz(get(copies)), () => {
        rowVectors(f, at, last, dx < 0 ? i32.add(get(from), i32.const(4)) : get(from), dx > 0 ? i32.sub(get(to), i32.const(4)) : get(to), () => {
          const below = v128.load(i32.add(i32.add(get(o), get(at)), get(step)));
          f.do(storeV128(i32.add(get(o), get(at)), f32x4.pmin(below, v128.load(i32.add(get(s), get(at))))));
        });
        if (dx !== 0) f.do(storeI32(i32.add(get(o), get(lineEnd)), i32.load(i32.add(get(s), get(lineEnd)))));
      });
      f.set(s, i32.sub(get(s), get(rowBytes)));
      f.set(o, i32.sub(get(o), get(rowBytes)));
      f.set(y, i32.sub(get(y), i32.const(1)));
      f.brIf(nextRow, i32.gtS(get(y), i32.const(-1)));
    });
  });
}

/**
 * combine(fwd, bwd, into, width, height, block, radius, begin, end): per row y, for columns begin …
 * end − 1 (end − begin ≥ 4, each line running at least `radius` samples both ways from them), into =
 * −(minimum over the window of rows y − up … y + down, clipped to the raster): −min(bwd[i − a],
 * fwd[i + b]) (pmin(fwd, bwd) = `p < q ? p : q`) across two blocks, −fwd[i + b] when the window starts
 * a block or the line, else −bwd[i − a] (erodeAcrossRows' interior loop).
 */
function emitCombine(f: FunctionBuilder<CombineParams>, dx: number): void {
  const [fwd, bwd, into, width, height, block, radius, begin, end] = f.params;
  const get = (l: Local<'i32'>) => f.get(l);
  const rowBytes = f.let(i32.shl(get(width), i32.const(2)));
  const step = f.let(i32.shl(i32.add(get(width), i32.const(dx)), i32.const(2)));
  const beginBytes = f.let(i32.shl(get(begin), i32.const(2)));
  const endBytes = f.let(i32.shl(get(end), i32.const(2)));
  const y = f.local('i32');
  const row = f.local('i32');
  const up = f.local('i32');
  const down = f.local('i32');
  const rest = f.local('i32');
  const twoBlocks = f.local('i32');
  const startsBlock = f.local('i32');
  const p = f.local('i32');
  const q = f.local('i32');
  const o = f.local('i32');
  const at = f.local('i32');
  const last = f.local('i32');
  const store = (value: () => V) => rowVectors(f, at, last, get(beginBytes), get(endBytes), () => f.do(storeV128(i32.add(get(o), get(at)), f32x4.neg(value()))));
  const backward = () => v128.load(i32.add(get(p), get(at)));
  const forward = () => v128.load(i32.add(get(q), get(at)));
  f.when(i32.gtS(get(height), i32.const(0)), () => {
    f.loop((nextRow) => {
      f.set(up, get(radius));
      f.when(i32.ltS(get(y), get(radius)), () => f.set(up, get(y)));
      f.set(down, get(radius));
      f.set(rest, i32.sub(i32.sub(get(height), i32.const(1)), get(y)));
      f.when(i32.ltS(get(rest), get(radius)), () => f.set(down, get(rest)));
      const loRow = i32.sub(get(y), get(up));
      f.set(twoBlocks, i32.ne(i32.divU(loRow, get(block)), i32.divU(i32.add(get(y), get(down)), get(block))));
      f.set(startsBlock, i32.or(i32.eqz(i32.remU(i32.sub(get(y), get(up)), get(block))), i32.ltS(get(up), get(radius))));
      f.set(p, i32.sub(i32.add(get(bwd), get(row)), i32.mul(get(up), get(step))));
      f.set(q, i32.add(i32.add(get(fwd), get(row)), i32.mul(get(down), get(step))));
      f.set(o, i32.add(get(into), get(row)));
      f.when(get(twoBlocks), () => store(() => f32x4.pmin(forward(), backward())));
      f.when(i32.eqz(get(twoBlocks)), () => {
        f.when(get(startsBlock), () => store(forward));
        f.when(i32.eqz(get(startsBlock)), () => store(backward));
      });
      f.set(row, i32.add(get(row), get(rowBytes)));
      f.set(y, i32.add(get(y), i32.const(1)));
      f.brIf(nextRow, i32.ltS(get(y), get(height)));
    });
  });
}

/** i8x16.shuffle byte indices for 32-bit lane picks (0–3 of a, 4–7 of b). */
const lanes32 = (picks: readonly number[]): number[] => picks.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

/**
 * transpose(src, srcStride, dst, dstStride, width, height), strides in bytes, width and height multiples
 * of 4: dst[x][y] = src[y][x], by 4×4 tiles (eight shuffles: bits moved, not converted).
 */
function emitTranspose(f: FunctionBuilder<TransposeParams>): void {
  const [src, srcStride, dst, dstStride, width, height] = f.params;
  const get = (l: Local<'i32'>) => f.get(l);
  const bx = f.local('i32');
  const by = f.local('i32');
  const a = f.local('i32');
  const d = f.local('i32');
  const r = [0, 1, 2, 3].map(() => f.local('v128'));
  const t = [0, 1, 2, 3].map(() => f.local('v128'));
  f.when(i32.gtS(get(height), i32.const(0)), () => {
    f.when(i32.gtS(get(width), i32.const(0)), () => {
      f.loop((nextTileRow) => {
        f.set(bx, i32.const(0));
        f.loop((nextTile) => {
          f.set(a, i32.add(i32.add(get(src), i32.mul(get(by), get(srcStride))), i32.shl(get(bx), i32.const(2))));
          for (let k = 0; k < 4; k++) f.set(r[k], v128.load(k === 0 ? get(a) : i32.add(get(a), i32.mul(get(srcStride), i32.const(k)))));
          f.set(t[0], v128.shuffle(f.get(r[0]), f.get(r[1]), lanes32([0, 4, 1, 5])));
          f.set(t[1], v128.shuffle(f.get(r[0]), f.get(r[1]), lanes32([2, 6, 3, 7])));
          f.set(t[2], v128.shuffle(f.get(r[2]), f.get(r[3]), lanes32([0, 4, 1, 5])));
          f.set(t[3], v128.shuffle(f.get(r[2]), f.get(r[3]), lanes32([2, 6, 3, 7])));
          f.set(d, i32.add(i32.add(get(dst), i32.mul(get(bx), get(dstStride))), i32.shl(get(by), i32.const(2))));
          const column = [
            v128.shuffle(f.get(t[0]), f.get(t[2]), lanes32([0, 1, 4, 5])),
            v128.shuffle(f.get(t[0]), f.get(t[2]), lanes32([2, 3, 6, 7])),
            v128.shuffle(f.get(t[1]), f.get(t[3]), lanes32([0, 1, 4, 5])),
            v128.shuffle(f.get(t[1]), f.get(t[3]), lanes32([2, 3, 6, 7])),
          ];
          for (let k = 0; k < 4; k++) f.do(storeV128(k === 0 ? get(d) : i32.add(get(d), i32.mul(get(dstStride), i32.const(k))), column[k]));
          f.set(bx, i32.add(get(bx), i32.const(4)));
          f.brIf(nextTile, i32.ltS(get(bx), get(width)));
        });
        f.set(by, i32.add(get(by), i32.const(4)));
        f.brIf(nextTileRow, i32.ltS(get(by), get(height)));
      });
    });
  });
}

/**
 * sum(total, short, long, into, bytes, scaleBits): into = (total + (short − long)) × scale over `bytes`
 * bytes rounded up to whole vectors, the sum in float64 and rounded once to float32 (JavaScript's
 * `out[i] + (s[i] − l[i])` stored to a Float32Array), then × scale (float32 bits; 1 or 0.25, exact).
 * startSum reads total as +0 (JavaScript's first term is added to the zero-filled output).
 */
function emitSum(f: FunctionBuilder<SumParams>, fromZero: boolean): void {
  const [total, short, long, into, bytes, scaleBits] = f.params;
  const get = (l: Local<'i32'>) => f.get(l);
  const scale = f.let(i32x4.splat(get(scaleBits)));
  const zero = f.let(v128.const(new Uint8Array(16)));
  const at = f.local('i32');
  const s = f.local('v128');
  const l = f.local('v128');
  const t = f.local('v128');
  const high = (v: V) => v128.shuffle(v, v, lanes32([2, 3, 0, 1]));
  const half = (pick: (v: V) => V) =>
    f32x4.demoteF64x2Zero(f64x2.add(f64x2.promoteLowF32x4(pick(f.get(t))), f64x2.sub(f64x2.promoteLowF32x4(pick(f.get(s))), f64x2.promoteLowF32x4(pick(f.get(l))))));
  f.when(i32.gtS(get(bytes), i32.const(0)), () => {
    f.loop((next) => {
      f.set(s, v128.load(i32.add(get(short), get(at))));
      f.set(l, v128.load(i32.add(get(long), get(at))));
      f.set(t, fromZero ? f.get(zero) : v128.load(i32.add(get(total), get(at))));
      const sum = v128.shuffle(half((v) => v), half(high), lanes32([0, 1, 4, 5]));
      f.do(storeV128(i32.add(get(into), get(at)), f32x4.mul(sum, f.get(scale))));
      f.set(at, i32.add(get(at), i32.const(16)));
      f.brIf(next, i32.ltS(get(at), get(bytes)));
    });
  });
}

/** The module's bytes (exported for the tests, which validate it). */
export function lineOpeningModule(): Uint8Array {
  const m = new ModuleBuilder();
  STEPS.forEach((dx, k) => {
    m.function(`forward${k}`, PASS_PARAMS, (f) => emitForward(f, dx));
    m.function(`backward${k}`, PASS_PARAMS, (f) => emitBackward(f, dx));
    m.function(`combine${k}`, COMBINE_PARAMS, (f) => emitCombine(f, dx));
  });
  m.function('transpose', TRANSPOSE_PARAMS, emitTranspose);
  m.function('startSum', SUM_PARAMS, (f) => emitSum(f, true));
  m.function('addSum', SUM_PARAMS, (f) => emitSum(f, false));
  return m.encode();
}

type Fn = (...args: number[]) => void;
interface Kernel {
  forward: Fn[];
  backward: Fn[];
  combine: Fn[];
  transpose: Fn;
  startSum: Fn;
  addSum: Fn;
}
let kernelOfThread: Kernel | null = null;

function kernel(): Kernel {
  if (kernelOfThread === null) {
    const e = instantiate(lineOpeningModule());
    const fn = (name: string) => e[name] as Fn;
    kernelOfThread = {
      forward: STEPS.map((_, k) => fn(`forward${k}`)),
      backward: STEPS.map((_, k) => fn(`backward${k}`)),
      combine: STEPS.map((_, k) => fn(`combine${k}`)),
      transpose: fn('transpose'),
      startSum: fn('startSum'),
      addSum: fn('addSum'),
    };
  }
  return kernelOfThread;
}

let simdEnabled = true;

/**
 * Whether openAlongLine and buildingIndex may use the SIMD kernels (the default, where the engine has
 * SIMD and the raster is at least MIN_SIDE wide and high and fits MAX_SIMD_BYTES) or always run the
 * JavaScript passes. Both write the same bytes; the switch exists for the tests and the benchmark.
 */
export function setLineOpeningSimd(enabled: boolean): void {
  simdEnabled = enabled;
}

/** Regions are 16-byte aligned with a vector of slack (sums run whole vectors past a region's end). */
const regionBytes = (pixels: number): number => Math.ceil((4 * pixels + 16) / 16) * 16;

function usable(width: number, height: number, regions: number, pixels: number, arrays: readonly Float32Array[]): boolean {
  if (!(simdEnabled && width >= MIN_SIDE && height >= MIN_SIDE && regions * regionBytes(pixels) <= MAX_SIMD_BYTES && hasSimd())) return false;
  // arrays in the kernels' scratch would be overwritten (arena arrays above it are copied in like any other)
  return !arrays.some(inScratch);
}

const F32_BITS_1 = 0x3f800000;
const F32_BITS_QUARTER = 0x3e800000;

/** A raster in linear memory: region addresses in bytes, rows of `stride` floats, real columns from `pad`. */
class Memory {
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  constructor(bytes: number) {
    const buffer = threadMemory(bytes).buffer;
    this.f32 = new Float32Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }

  /** Copies a width × height raster into `region` with rows of `stride` floats, `pad` columns of +∞ either side. */
  copyIn(src: Float32Array, width: number, height: number, region: number, stride: number, pad: number): void {
    const base = region >> 2;
    if (pad === 0 && stride === width) {
      this.f32.set(src.subarray(0, width * height), base);
      return;
    }
    for (let y = 0; y < height; y++) {
      const row = base + y * stride;
      this.f32.fill(Infinity, row, row + pad);
      this.f32.set(src.subarray(y * width, (y + 1) * width), row + pad);
      this.f32.fill(Infinity, row + pad + width, row + stride);
    }
  }

  copyOut(region: number, stride: number, pad: number, width: number, height: number, out: Float32Array): void {
    const base = region >> 2;
    if (pad === 0 && stride === width) {
      out.set(this.f32.subarray(base, base + width * height));
      return;
    }
    for (let y = 0; y < height; y++) out.set(this.f32.subarray(base + y * stride + pad, base + y * stride + pad + width), y * width);
  }

  /** dst[x][y] = src[y][x] for a width × height raster (strides in floats): the kernel's tiles, then the ragged right and bottom edges. */
  transpose(k: Kernel, src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number): void {
    const w4 = width & ~3;
    const h4 = height & ~3;
    k.transpose(src, 4 * srcStride, dst, 4 * dstStride, w4, h4);
    const s = src >> 2;
    const d = dst >> 2;
    const u = this.u32;
    for (let y = 0; y < height; y++) {
      for (let x = y < h4 ? w4 : 0; x < width; x++) u[d + x * dstStride + y] = u[s + y * srcStride + x]!;
    }
  }
}

/** Regions of one call: byte addresses. */
interface Scratch {
  forward: number;
  backward: number;
  eroded: number;
}

/**
 * The pixels where the padded rows' formula keeps a different one of two equal values (+0 and −0) than
 * the JavaScript kernel: a diagonal line that starts inside the window (`back` < up, its first sample on
 * the raster's side) and, within one block, also ends before the window's lower end (at the bottom row
 * or the other side). The JavaScript kernel takes that window's forward run (from the line's start); the
 * padded formula would take its backward run, the same samples in the other order. Those few pixels (at
 * most radius² near the bottom corners and at the corners where lines are shorter than a block) are
 * computed here as erodeAcrossRows' side loop does; the forward and backward runs at real pixels are
 * the JavaScript kernel's, bit for bit.
 */
function fixClippedLines(f32: Float32Array, scratch: Scratch, into: number, stride: number, pad: number, width: number, height: number, dx: 1 | -1, radius: number): void {
  const block = 2 * radius + 1;
  const step = stride + dx;
  const fwd = scratch.forward >> 2;
  const bwd = scratch.backward >> 2;
  const out = into >> 2;
  for (let y = 0; y < height; y++) {
    const up = Math.min(radius, y);
    const down = Math.min(radius, height - 1 - y);
    const loBlock = ((y - up) / block) | 0;
    const twoBlocks = loBlock !== (((y + down) / block) | 0);
    if (!twoBlocks && ((y - up) % block === 0 || up < radius)) continue; // the forward run, as in JavaScript
    // columns whose line starts after row y − up (back < up) …
    let x0 = dx > 0 ? 0 : Math.max(0, width - up);
    let x1 = dx > 0 ? Math.min(up, width) : width;
    if (twoBlocks) {
      // … and ends in the first block (ahead ≤ its last row − y); the others are exact
      const k = (loBlock + 1) * block - 1 - y;
      if (dx > 0) x0 = Math.max(x0, width - 1 - k);
      else x1 = Math.min(x1, k + 1);
    }
    for (let x = x0; x < x1; x++) {
      const back = dx > 0 ? x : width - 1 - x;
      const ahead = dx > 0 ? width - 1 - x : x;
      const t0 = Math.min(up, back);
      const t1 = Math.min(down, ahead);
      const i = y * stride + pad + x;
      const lo = y - t0;
      const hi = y + t1;
      let v: number;
      if (((lo / block) | 0) !== ((hi / block) | 0)) {
        const p = f32[bwd + i - t0 * step]!;
        const q = f32[fwd + i + t1 * step]!;
        v = p < q ? p : q;
      } else v = lo % block === 0 || t0 < radius ? f32[fwd + i + t1 * step]! : f32[bwd + i - t0 * step]!;
      f32[out + i] = -v;
    }
  }
}

/**
 * The opening of the raster at `src` (rows of `stride` floats, real columns pad … pad + width − 1, the
 * padding +∞ and pad ≥ radius for diagonals) into `into`, by a segment of 2·radius + 1 along step `dx`.
 * The once-eroded region's padding must hold +∞ (only its real columns are written).
 */
function openRegion(k: Kernel, f32: Float32Array, src: number, into: number, scratch: Scratch, stride: number, pad: number, width: number, height: number, dx: 0 | 1 | -1, radius: number): void {
  const fn = STEPS.indexOf(dx);
  const block = 2 * radius + 1;
  // vertical lines are columns: their passes skip the padding; diagonal ones run through it
  const [begin, end] = dx === 0 ? [pad, pad + width] : [0, stride];
  const erode = (from: number, to: number) => {
    k.forward[fn]!(from, scratch.forward, stride, height, block, begin, end);
    k.backward[fn]!(from, scratch.backward, stride, height, block, begin, end);
    k.combine[fn]!(scratch.forward, scratch.backward, to, stride, height, block, radius, pad, pad + width);
    if (dx !== 0) fixClippedLines(f32, scratch, to, stride, pad, width, height, dx, radius);
  };
  erode(src, scratch.eroded);
  erode(scratch.eroded, into);
}

const STEP_OF_DIRECTION = [0, 0, 1, -1] as const;

/**
 * openAlongLine on the SIMD kernels when they apply (see setLineOpeningSimd); returns false, having done
 * nothing, when they do not. Arguments are checked by the caller.
 */
export function openAlongLineSimd(src: Float32Array, width: number, height: number, direction: 0 | 1 | 2 | 3, length: number, out: Float32Array): boolean {
  const radius = (length - 1) >> 1;
  const pad = direction >= 2 ? radius : 0;
  const stride = width + 2 * pad;
  const pixels = stride * height;
  if (!usable(width, height, 6, pixels, [src, out])) return false;
  const r = regionBytes(pixels);
  const memory = new Memory(6 * r);
  const k = kernel();
  const [input, forward, backward, eroded, opened, transposed] = [0, r, 2 * r, 3 * r, 4 * r, 5 * r];
  const scratch = { forward, backward, eroded };
  memory.copyIn(src, width, height, input, stride, pad);
  if (direction === 0) {
    // the transposed raster: `height` columns, `width` rows, its lines along its columns
    memory.transpose(k, input, width, transposed, height, width, height);
    openRegion(k, memory.f32, transposed, opened, scratch, height, 0, height, width, 0, radius);
    memory.transpose(k, opened, height, input, width, height, width);
    memory.copyOut(input, width, 0, width, height, out);
    return true;
  }
  if (pad > 0) memory.f32.fill(Infinity, eroded >> 2, (eroded + r) >> 2);
  openRegion(k, memory.f32, input, opened, scratch, stride, pad, width, height, STEP_OF_DIRECTION[direction], radius);
  memory.copyOut(opened, stride, pad, width, height, out);
  return true;
}

/**
 * buildingIndex on the SIMD kernels when they apply; returns false, having done nothing, when they do
 * not. Arguments are checked by the caller. The intensity is copied in once (padded for the longer
 * segment), the four directions' differences summed in memory, the index copied out once.
 */
export function buildingIndexSimd(intensity: Float32Array, width: number, height: number, short: number, long: number, out: Float32Array): boolean {
  const pad = (long - 1) >> 1; // the larger radius (short ≤ long)
  const stride = width + 2 * pad;
  const pixels = stride * height;
  if (!usable(width, height, 7, pixels, [intensity, out])) return false;
  const r = regionBytes(pixels);
  const memory = new Memory(7 * r);
  const k = kernel();
  const [input, forward, backward, eroded, openShort, openLong, total] = [0, r, 2 * r, 3 * r, 4 * r, 5 * r, 6 * r];
  const scratch = { forward, backward, eroded };
  const radii = [(short - 1) >> 1, (long - 1) >> 1];
  memory.copyIn(intensity, width, height, input, stride, pad);
  // Direction 0 on the transposed raster (held in the sum's region until the sum starts); its
  // difference is summed there in transposed order, into `eroded`, then transposed into the sum.
  const transposed = total;
  const n = width * height;
  memory.transpose(k, input + 4 * pad, stride, transposed, height, width, height);
  openRegion(k, memory.f32, transposed, openShort, scratch, height, 0, height, width, 0, radii[0]!);
  openRegion(k, memory.f32, transposed, openLong, scratch, height, 0, height, width, 0, radii[1]!);
  k.startSum(0, openShort, openLong, eroded, 4 * n, F32_BITS_1);
  memory.transpose(k, eroded, height, total + 4 * pad, stride, height, width);
  memory.f32.fill(Infinity, eroded >> 2, (eroded + r) >> 2);
  for (let d = 1; d < 4; d++) {
    const dx = STEP_OF_DIRECTION[d]!;
    openRegion(k, memory.f32, input, openShort, scratch, stride, pad, width, height, dx, radii[0]!);
    openRegion(k, memory.f32, input, openLong, scratch, stride, pad, width, height, dx, radii[1]!);
    k.addSum(total, openShort, openLong, total, 4 * pixels, d === 3 ? F32_BITS_QUARTER : F32_BITS_1);
  }
  memory.copyOut(total, stride, pad, width, height, out);
  return true;
}
