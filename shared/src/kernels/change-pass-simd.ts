/**
 * The one-pass change kernels (fuse-scores.ts: changeCues, changeScores) in WebAssembly fixed-width
 * SIMD, generated at run time from the TypeScript below with the small emitter in wasm/: one module
 * per band count (1 … MAX_SIMD_BANDS), pair of sample types (uint8, int8, uint16, int16, float32),
 * nodata and exclusion-mask presence and cue output, compiled on first use in each thread (each worker
 * thread has its own module state, so its own modules and memory), then cached.
 *
 * Why: the scalar step (change-pass-rows.ts) runs one value per instruction; four float32 lanes per
 * instruction do the same arithmetic in about a quarter of the instructions. (Two float64 lanes,
 * which would have kept the earlier float64 results, reached only about 119 Mpx/s on the 4-band
 * uint16 benchmark against the 120 asked; docs/detection.md.)
 *
 * Numerics: the change pass computes in float32 (change-vector.ts, whitened-chi-score.ts, fuse-scores.ts,
 * box-mean-3x3.ts; the scalar step rounds every result with Math.fround). Here every pixel's
 * arithmetic is the scalar step's, operation for operation in the same order, in float32 lanes:
 * standard WebAssembly SIMD has no fused multiply-add, its float32 add, sub, mul, div and sqrt are
 * correctly rounded (to nearest, ties to even), and `fx < fy ? fx : fy` is f32x4.pmin(fy, fx)
 * (pmin(a, b) = b < a ? b : a). 8- and 16-bit integers and float32 samples convert exactly. So both
 * paths write the same bytes (change-pass-simd.test.ts, fuse-scores.test.ts compare them).
 *
 * Memory: one linear memory per thread (wasm/runtime.ts), laid out per pass (passLayout): a header
 * (nodata, constants), a chunk of input rows copied in (each band plane of up to CHUNK_BYTES of rows),
 * four zero-padded row slots of the 3×3 mean (three cycling, one all zero), an output row and the cue
 * step's scratch rows. The generated functions work on one image row; the driver copies input chunks
 * in and output rows out. Inputs that are arrays of the memory's arena (wasm/arena.ts; the halo windows
 * of detection) are read where they are, without the copy.
 */

import { K_INVERSE_BANDS, K_CVA_SCALE, K_MAD_SCALE, constantOffsets, constantsLength, triangleIndex, type ChangeSamples } from './change-pass-rows.js';
import {
  type Expr,
  type FunctionBuilder,
  type Local,
  ModuleBuilder,
  f32x4,
  i16x8,
  i32,
  i32x4,
  i8x16,
  storeI32,
  storeI8,
  storeLow32,
  storeLow64,
  storeV128,
  v128,
} from './wasm/builder.js';
import type { ScoreDecision } from './fuse-scores.js';
import type { ValTypeName } from './wasm/opcodes.js';
import { hasSimd, inArena, instantiate, threadMemory } from './wasm/runtime.js';

/**
 * Largest band count with a SIMD kernel: Sentinel-2's 13 bands fit. (The kernel's loops hold few values
 * whatever the band count; its constants and code grow with bands².)
 */
export const MAX_SIMD_BANDS = 16;

/** Sample types the SIMD kernels read (the others take the scalar step). */
export type SimdSampleKind = 'u8' | 'i8' | 'u16' | 'i16' | 'f32';

/** The SIMD sample kind of an array, or null when there is no SIMD kernel for it. */
export function simdSampleKind(samples: ChangeSamples): SimdSampleKind | null {
  if (samples instanceof Uint16Array) return 'u16';
  if (samples instanceof Uint8Array) return 'u8';
  if (samples instanceof Float32Array) return 'f32';
  if (samples instanceof Int16Array) return 'i16';
  if (samples instanceof Int8Array) return 'i8';
  return null;
}

const BYTES: Record<SimdSampleKind, number> = { u8: 1, i8: 1, u16: 2, i16: 2, f32: 4 };
/** Views of the memory by sample kind (not the samples' own constructor: a Buffer is a Uint8Array too). */
const VIEW: Record<SimdSampleKind, new (buffer: ArrayBufferLike, byteOffset: number, length: number) => ChangeSamples> = { u8: Uint8Array, i8: Int8Array, u16: Uint16Array, i16: Int16Array, f32: Float32Array };
const INTEGER_RANGE: Record<Exclude<SimdSampleKind, 'f32'>, [number, number]> = {
  u8: [0, 255],
  i8: [-128, 127],
  u16: [0, 65535],
  i16: [-32768, 32767],
};

/** What one generated module is specialised for. */
export interface KernelSpec {
  bands: number;
  before: SimdSampleKind;
  after: SimdSampleKind;
  /** whether a sample of that epoch can equal its nodata (else no comparison is emitted) */
  nodataBefore: boolean;
  nodataAfter: boolean;
  excluded: boolean;
  /** write the cva and mad rows (changeCues) */
  cues: boolean;
}

// Header of the linear memory: each epoch's nodata splatted over 16 bytes (16-bit lanes for integer
// samples, float32 lanes for float32 samples), then the packed constants (fuse-scores.ts packConstants)
// as float32 (they are float32 values).
const ND_BEFORE = 0;
const ND_AFTER = 16;
const CONSTANTS = 32;
/** The decision's threshold as float32 (decisionThreshold), one lane's 4 bytes. */
const THRESHOLD = CONSTANTS + 4 * constantsLength(MAX_SIMD_BANDS);
const HEADER_BYTES = THRESHOLD + 16;

/** Pixels per step of the validity loop (8 × 16-bit lanes); rows are padded to a multiple of it. */
const STEP = 8;
/** Pixels per vector of the arithmetic loops (4 × f32 lanes). */
const LANES = 4;
/**
 * Vectors per step of the cue step's arithmetic loops: two quads a step share one address computation
 * and one loop test (each quad's arithmetic is unchanged). STEP is a multiple of UNROLL · LANES, so the
 * loops end where the validity loop does.
 */
const UNROLL = 2;

/**
 * Whitened features per loop of the cue step: each loop loads the d_j its features need once and keeps
 * Z in a register. Four (every feature of a 4-band pass in one loop) took 50.6 WebAssembly instructions a
 * pixel on the 4-band uint16 pass against 53.6 for one feature a loop (callgrind, docs/detection.md).
 */
const FEATURES_PER_LOOP = 4;

const EXPONENT_BITS = 0x7f800000;
const ONE_F32 = new Uint8Array(new Float32Array([1, 1, 1, 1]).buffer);

type V = Expr<'v128'>;
type CueParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const CUE_PARAMS: CueParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
type BoxParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const BOX_PARAMS: BoxParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
type BoxDecideParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const BOX_DECIDE_PARAMS: BoxDecideParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];

const log2 = (bytes: number): number => (bytes === 1 ? 0 : bytes === 2 ? 1 : 2);

/**
 * The invalid-sample test of one band for pixels x … x+7 at `address`: a 16-bit lane mask, −1 where
 * the sample equals `nodata` (integer samples, compared as 16-bit lanes: every 8- and 16-bit value is
 * one) or, for float32 samples, is NaN or ±inf or equals `nodata` (float32 lanes, two quads narrowed).
 */
function invalidOctet(kind: SimdSampleKind, address: Expr<'i32'>, nodata: Expr<'v128'> | null, exponent: Expr<'v128'>): V | null {
  switch (kind) {
    case 'u16':
    case 'i16':
      return nodata === null ? null : i16x8.eq(v128.load(address), nodata);
    case 'u8':
      return nodata === null ? null : i16x8.eq(v128.load8x8U(address), nodata);
    case 'i8':
      return nodata === null ? null : i16x8.eq(v128.load8x8S(address), nodata);
    case 'f32': {
      const quad = (offset: number): V => {
        const nonFinite = i32x4.eq(v128.and(v128.load(address, offset), exponent), exponent);
        return nodata === null ? nonFinite : v128.or(nonFinite, f32x4.eq(v128.load(address, offset), nodata));
      };
      return i16x8.narrowI32x4S(quad(0), quad(16));
    }
  }
}

/** The samples of pixels x … x+3 at `address` as float32 (exact: 8- and 16-bit integers, float32). */
function loadQuad(kind: SimdSampleKind, address: Expr<'i32'>, offset = 0): V {
  switch (kind) {
    case 'u16':
      return f32x4.convertI32x4S(v128.load16x4U(address, offset));
    case 'i16':
      return f32x4.convertI32x4S(v128.load16x4S(address, offset));
    case 'u8':
      return f32x4.convertI32x4S(i32x4.extendLowI16x8U(v128.load8x8U(address, offset)));
    case 'i8':
      return f32x4.convertI32x4S(i32x4.extendLowI16x8S(v128.load8x8S(address, offset)));
    case 'f32':
      return v128.load(address, offset);
  }
}

/** Left-to-right sum, as `t0 + t1 + …` is evaluated (each partial sum rounded to float32). */
function sum(terms: V[]): V {
  return terms.slice(1).reduce((acc, t) => f32x4.add(acc, t), terms[0]);
}

/** Pixels per segment of a row: the per-segment scratch rows stay in the L1 cache. */
const SEGMENT = 256;

/** Bytes of one scratch row (f32 per pixel of a segment; quads end inside: SEGMENT is a multiple of 4). */
const SCRATCH_ROW = 4 * SEGMENT;

/** Scratch bytes cueRow needs for `bands` bands: d_j and Z rows of one segment. */
export function cueScratchBytes(bands: number): number {
  return (bands + 1) * SCRATCH_ROW;
}

/**
 * cueRow(before, after, beforeStride, afterStride, excluded, width, fused, valid, count, cva, mad, scratch):
 * the cue step of one image row (addresses in bytes). `before`/`after`: the row's band-0 samples, band
 * b at + b·stride; `excluded`: the row's mask bytes. Writes, for pixel x, fused[x] (f32: the fused
 * minimum, 0 where invalid), count[x] (f32: 1 valid / 0 invalid), valid[x] (u8: 1 / 0) and with cues
 * cva[x], mad[x] (f32, 0 where invalid). Pixels past the row up to the next multiple of STEP are
 * written with whatever the bytes there give; then fused[width], count[width] and valid[width] are set
 * to 0 (the right padding of the 3×3 rows).
 *
 * The row goes in segments of SEGMENT pixels, each in several loops that keep few values live (with
 * all of them live at once the engine spills registers on every pixel): validity; band by band,
 * d_j kept in a scratch row; the whitened features f_k = Σ_{j≤k} T_kj·d_j, FEATURES_PER_LOOP a loop,
 * their squares summed into Z, the last loop going on to Σd² (it loads every d_j anyway), the cues and
 * their fusion. Every operation is the scalar step's, in its order, on float32 lanes.
 */
function emitCueRow(f: FunctionBuilder<CueParams>, spec: KernelSpec): void {
  const [beforeRow, afterRow, beforeStride, afterStride, excludedRow, width, fusedRow, validRow, countRow, cvaRow, madRow, scratch] = f.params;
  const n = spec.bands;
  const get = <T extends 'i32' | 'v128'>(l: Local<T>) => f.get(l);
  const range = <T>(count: number, g: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => g(i));
  // Constants, splatted once per row into locals (each loop uses few of them).
  const constant = (k: number) => f.let(v128.load32Splat(i32.const(0), CONSTANTS + 4 * k));
  const o = constantOffsets(n);
  const cvaScale = constant(K_CVA_SCALE);
  const madScale = constant(K_MAD_SCALE);
  const inverseBands = constant(K_INVERSE_BANDS);
  const bm = range(n, (b) => constant(o.bm + b));
  const bs = range(n, (b) => constant(o.bs + b));
  const am = range(n, (b) => constant(o.am + b));
  const as = range(n, (b) => constant(o.as + b));
  const T = range(n, (k) => range(k + 1, (j) => constant(o.T + triangleIndex(k, j))));
  const ndBefore = spec.nodataBefore ? f.let(v128.load(i32.const(ND_BEFORE))) : null;
  const ndAfter = spec.nodataAfter ? f.let(v128.load(i32.const(ND_AFTER))) : null;
  const exponent = f.let(i32x4.splat(i32.const(EXPONENT_BITS)));
  const zero = f.let(v128.const(new Uint8Array(16)));
  const one = f.let(v128.const(ONE_F32));
  const oneByte = f.let(i8x16.splat(i32.const(1)));
  const bandOffset = (stride: Local<'i32'>) => range(n, (b) => (b === 0 ? null : f.let(i32.mul(f.get(stride), i32.const(b)))));
  const beforeBand = bandOffset(beforeStride);
  const afterBand = bandOffset(afterStride);
  // scratch rows (byte offsets from the scratch address of pixel i of the segment: + 4·i)
  const D = (j: number) => SCRATCH_ROW * j;
  const Z = SCRATCH_ROW * n;

  const segment = f.local('i32');
  const end = f.local('i32');
  const x = f.local('i32');
  const i = f.local('i32');
  // addresses of a step's first quad, shared by the loops below
  const beforeAt = f.local('i32');
  const afterAt = f.local('i32');
  const scratchPixel = f.local('i32');
  const rowPixel = f.local('i32');
  /** Runs body for x = segment, segment + step, … < end (i = x − segment). */
  const pixels = (step: number, body: () => void) => {
    f.set(x, get(segment));
    f.set(i, i32.const(0));
    f.loop((next) => {
      body();
      f.set(x, i32.add(get(x), i32.const(step)));
      f.set(i, i32.add(get(i), i32.const(step)));
      f.brIf(next, i32.ltS(get(x), get(end)));
    });
  };
  const sampleAddress = (kind: SimdSampleKind, row: Local<'i32'>, band: Local<'i32'> | null) => {
    const at = i32.add(get(row), i32.shl(get(x), i32.const(log2(BYTES[kind]))));
    return band === null ? at : i32.add(at, get(band));
  };
  const scratchAt = () => i32.add(get(scratch), i32.shl(get(i), i32.const(2)));
  const rowAt = (row: Local<'i32'>) => i32.add(get(row), i32.shl(get(x), i32.const(2)));

  f.when(i32.gtS(get(width), i32.const(0)), () => {
    f.loop((nextSegment) => {
      f.set(end, i32.add(get(segment), i32.const(SEGMENT)));
      f.when(i32.gtS(get(end), get(width)), () => f.set(end, get(width)));
      // Validity of pixels x … x+7: valid (u8) and count (f32 1 / 0).
      pixels(STEP, () => {
        const invalidTerms: V[] = [];
        const epoch = (kind: SimdSampleKind, row: Local<'i32'>, band: Array<Local<'i32'> | null>, nodata: Local<'v128'> | null) => {
          for (let b = 0; b < n; b++) {
            const test = invalidOctet(kind, sampleAddress(kind, row, band[b]), nodata === null ? null : get(nodata), get(exponent));
            if (test !== null) invalidTerms.push(test);
          }
        };
        epoch(spec.before, beforeRow, beforeBand, ndBefore);
        epoch(spec.after, afterRow, afterBand, ndAfter);
        if (spec.excluded) invalidTerms.push(i16x8.ne(v128.load8x8U(i32.add(get(excludedRow), get(x))), get(zero)));
        if (invalidTerms.length === 0) {
          f.do(storeLow64(i32.add(get(validRow), get(x)), get(oneByte)));
          f.do(storeV128(rowAt(countRow), get(one)));
          f.do(storeV128(rowAt(countRow), get(one), 16));
          return;
        }
        const invalid = f.let(invalidTerms.slice(1).reduce((acc, t) => v128.or(acc, t), invalidTerms[0]));
        // 1 where no test failed, as bytes (16-bit masks narrowed; saturation keeps 0 / −1) and as f32
        f.do(storeLow64(i32.add(get(validRow), get(x)), v128.andNot(get(oneByte), i8x16.narrowI16x8S(get(invalid), get(zero)))));
        f.do(storeV128(rowAt(countRow), v128.andNot(get(one), i32x4.extendLowI16x8S(get(invalid)))));
        f.do(storeV128(rowAt(countRow), v128.andNot(get(one), i32x4.extendHighI16x8S(get(invalid))), 16));
      });
      // changeVectorMagnitude's d_j = (a_j − am_j)·as_j − (b_j − bm_j)·bs_j, kept for the loops below.
      for (let j = 0; j < n; j++) {
        pixels(UNROLL * LANES, () => {
          f.set(beforeAt, sampleAddress(spec.before, beforeRow, beforeBand[j]));
          f.set(afterAt, sampleAddress(spec.after, afterRow, afterBand[j]));
          f.set(scratchPixel, scratchAt());
          for (let q = 0; q < UNROLL; q++) {
            const at = 4 * LANES * q; // byte offset of the quad in f32 rows
            const before = f.let(loadQuad(spec.before, get(beforeAt), LANES * q * BYTES[spec.before]));
            const after = f.let(loadQuad(spec.after, get(afterAt), LANES * q * BYTES[spec.after]));
            const d = f32x4.sub(f32x4.mul(f32x4.sub(get(after), get(am[j])), get(as[j])), f32x4.mul(f32x4.sub(get(before), get(bm[j])), get(bs[j])));
            f.do(storeV128(get(scratchPixel), d, D(j) + at));
          }
        });
      }
      // whitenedChiScore: f_k = Σ_{j≤k} T_kj·d_j in j order; Z = Σ_k f_k² in k order, FEATURES_PER_LOOP
      // features a loop (each d_j they need loaded once, Z carried in a scratch row between loops). The
      // loop of the last features goes on to Σ_j d_j² in band order (changeVectorMagnitude: summed here,
      // where every d_j is loaded, instead of carried in a scratch row, 2–3 % of the pass), the cues and
      // fuseMinScaled (fx < fy ? fx : fy, which is pmin(fy, fx)), 0 where invalid.
      for (let k0 = 0; k0 < n; k0 += FEATURES_PER_LOOP) {
        const k1 = Math.min(n, k0 + FEATURES_PER_LOOP); // features k0 … k1 − 1
        const last = k1 === n;
        pixels(UNROLL * LANES, () => {
          f.set(scratchPixel, scratchAt());
          if (last) f.set(rowPixel, i32.shl(get(x), i32.const(2)));
          for (let q = 0; q < UNROLL; q++) {
            const at = 4 * LANES * q;
            const d = range(k1, (j) => f.let(v128.load(get(scratchPixel), D(j) + at)));
            let z: V | null = k0 === 0 ? null : v128.load(get(scratchPixel), Z + at);
            for (let k = k0; k < k1; k++) {
              const m = f.let(sum(range(k + 1, (j) => f32x4.mul(get(T[k][j]), get(d[j])))));
              const square = f32x4.mul(get(m), get(m));
              z = z === null ? square : f32x4.add(z, square);
              if (k < k1 - 1) z = get(f.let(z)); // the running sum in a local, not re-evaluated
            }
            if (!last) {
              f.do(storeV128(get(scratchPixel), z!, Z + at));
              continue;
            }
            const rowAtQuad = (row: Local<'i32'>) => i32.add(get(row), get(rowPixel));
            const mad = f.let(f32x4.sqrt(f32x4.mul(z!, get(inverseBands))));
            const sumSquares = sum(d.map((dj) => f32x4.mul(get(dj), get(dj))));
            const cva = f.let(f32x4.sqrt(f32x4.mul(sumSquares, get(inverseBands))));
            const isValid = f.let(f32x4.ne(v128.load(rowAtQuad(countRow), at), get(zero)));
            const fused = f32x4.pmin(f32x4.mul(get(mad), get(madScale)), f32x4.mul(get(cva), get(cvaScale)));
            f.do(storeV128(rowAtQuad(fusedRow), v128.and(fused, get(isValid)), at));
            if (spec.cues) {
              f.do(storeV128(rowAtQuad(cvaRow), v128.and(get(cva), get(isValid)), at));
              f.do(storeV128(rowAtQuad(madRow), v128.and(get(mad), get(isValid)), at));
            }
          }
        });
      }
      f.set(segment, get(end));
      f.brIf(nextSegment, i32.ltS(get(segment), get(width)));
    });
  });
  // Right padding of the 3×3 rows.
  f.do(storeI32(rowAtWidth(f, fusedRow, width), i32.const(0)));
  f.do(storeI32(rowAtWidth(f, countRow, width), i32.const(0)));
  f.do(storeI8(i32.add(get(validRow), get(width)), i32.const(0)));
}

/** Address of element `width` of an f32 row. */
function rowAtWidth<P extends readonly ValTypeName[]>(f: FunctionBuilder<P>, row: Local<'i32'>, width: Local<'i32'>): Expr<'i32'> {
  return i32.add(f.get(row), i32.shl(f.get(width), i32.const(2)));
}

/**
 * boxRow(fusedAbove, fused, fusedBelow, countAbove, count, countBelow, width, score): one output row of
 * the valid-only 3×3 mean (fuse-scores.ts boxRow), from three zero-padded f32 rows (address of pixel
 * −1) of fused values and three of 0 / 1 validity. The sum runs in boxMean3x3's order (0, then the row
 * above, own row, row below, left to right) in float32; invalid and outside neighbours hold +0, which
 * changes no sum. score[x] (f32) = sum / valid count where pixel x is valid, else 0; pixels up to the
 * next multiple of 4 are written too.
 * boxDecideRow(…, decision) also writes the per-pixel decision: decision[x] (u8) = 1 where pixel x is
 * valid and score[x] ≥ the threshold at THRESHOLD (float32: decisionThreshold), else 0.
 */
function emitBoxRow(f: FunctionBuilder<BoxParams> | FunctionBuilder<BoxDecideParams>, decide: boolean): void {
  const [above, centre, below, countAbove, countCentre, countBelow, width, score, decision] = f.params as readonly Local<'i32'>[];
  const get = <T extends 'i32' | 'v128'>(l: Local<T>) => f.get(l);
  const zero = f.let(v128.const(new Uint8Array(16)));
  const threshold = decide ? f.let(v128.load32Splat(i32.const(THRESHOLD))) : null;
  const one = decide ? f.let(i8x16.splat(i32.const(1))) : null;
  const x = f.local('i32');
  const at = (row: Local<'i32'>) => i32.add(get(row), i32.shl(get(x), i32.const(2)));
  // columns x−1 … x+2, x … x+3, x+1 … x+4 of a row
  const columns = (row: Local<'i32'>) => [0, 4, 8].map((offset) => v128.load(at(row), offset));
  // Valid counts of columns x−1 … x+2 and x+3 … x+6: sums of the three rows' 0 / 1, integers, so their
  // order does not matter. The second quad of one step is the first of the next.
  const columnCounts = (offset: number) => f32x4.add(f32x4.add(v128.load(at(countAbove), offset), v128.load(at(countCentre), offset)), v128.load(at(countBelow), offset));
  const first = f.let(columnCounts(0));
  f.when(i32.gtS(get(width), i32.const(0)), () => {
    f.loop((next) => {
      const second = f.let(columnCounts(16));
      const shifted = (bytes: number) => v128.shuffle(get(first), get(second), Array.from({ length: 16 }, (_, l) => l + bytes));
      const count = f32x4.add(f32x4.add(get(first), shifted(4)), shifted(8));
      const total = sum([get(zero), ...columns(above), ...columns(centre), ...columns(below)]);
      const isValid = f.let(f32x4.ne(v128.load(at(countCentre), 4), get(zero)));
      const mean = f.let(v128.and(f32x4.div(total, count), get(isValid)));
      f.do(storeV128(i32.add(get(score), i32.shl(get(x), i32.const(2))), get(mean)));
      if (decide) {
        // lane masks (−1 / 0) narrowed to bytes and masked to 1 / 0; the low 4 bytes are pixels x … x+3
        const chosen = v128.and(f32x4.ge(get(mean), get(threshold!)), get(isValid));
        const bytes = i8x16.narrowI16x8S(i16x8.narrowI32x4S(chosen, chosen), get(zero));
        f.do(storeLow32(i32.add(get(decision!), get(x)), v128.and(bytes, get(one!))));
      }
      f.set(first, get(second));
      f.set(x, i32.add(get(x), i32.const(LANES)));
      f.brIf(next, i32.ltS(get(x), get(width)));
    });
  });
}

/** The module's bytes for `spec` (exported for the tests, which validate it). */
export function changePassModule(spec: KernelSpec): Uint8Array {
  const m = new ModuleBuilder();
  m.function('cueRow', CUE_PARAMS, (f) => emitCueRow(f, spec));
  m.function('boxRow', BOX_PARAMS, (f) => emitBoxRow(f, false));
  m.function('boxDecideRow', BOX_DECIDE_PARAMS, (f) => emitBoxRow(f, true));
  return m.encode();
}

type RowFunction = (...args: number[]) => void;
interface Kernel {
  cueRow: RowFunction;
  boxRow: RowFunction;
  boxDecideRow: RowFunction;
}
const kernels = new Map<string, Kernel>();

function kernel(spec: KernelSpec): Kernel {
  const key = JSON.stringify(spec);
  let k = kernels.get(key);
  if (k === undefined) {
    const exports = instantiate(changePassModule(spec));
    k = { cueRow: exports.cueRow as RowFunction, boxRow: exports.boxRow as RowFunction, boxDecideRow: exports.boxDecideRow as RowFunction };
    kernels.set(key, k);
  }
  return k;
}

/** Input bytes per chunk of rows copied into linear memory (a few hundred KiB stays in L2). */
const CHUNK_BYTES = 256 * 1024;
const SLACK = 64;
const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Byte addresses of one pass's regions in the thread's memory. */
interface PassLayout {
  rows: number; // rows per input chunk
  beforePlane: number; // bytes per band plane of a chunk
  afterPlane: number;
  before: number;
  after: number;
  excluded: number;
  /** padded row slots (0–2 cycling, 3 all zero): fused f32, count f32, valid u8; address of pixel −1 */
  fused: number[];
  count: number[];
  valid: number[];
  score: number; // f32 output row
  decision: number; // u8 output row (boxDecideRow)
  scratch: number; // cueRow's scratch rows
  cva: number;
  mad: number;
  end: number;
}

function passLayout(width: number, height: number, bands: number, before: SimdSampleKind, after: SimdSampleKind): PassLayout {
  const bytesPerRow = width * bands * (BYTES[before] + BYTES[after]);
  const rows = Math.max(1, Math.min(height, Math.floor(CHUNK_BYTES / Math.max(1, bytesPerRow))));
  const padded = Math.ceil(width / STEP) * STEP + 2; // pixel −1 … the last pixel written, +1 (a multiple of 2)
  let at = align(HEADER_BYTES);
  const take = (bytes: number): number => {
    const start = at;
    at = align(at + bytes + SLACK);
    return start;
  };
  const beforePlane = align(rows * width * BYTES[before]);
  const afterPlane = align(rows * width * BYTES[after]);
  const layout: PassLayout = {
    rows,
    beforePlane,
    afterPlane,
    before: take(bands * beforePlane),
    after: take(bands * afterPlane),
    excluded: take(rows * width),
    fused: [0, 1, 2, 3].map(() => take(4 * padded)),
    count: [0, 1, 2, 3].map(() => take(4 * padded)),
    valid: [0, 1, 2, 3].map(() => take(padded)),
    score: take(4 * padded),
    decision: take(padded),
    scratch: take(cueScratchBytes(bands)),
    cva: take(4 * padded),
    mad: take(4 * padded),
    end: 0,
  };
  layout.end = at;
  return layout;
}

/** Whether an integer sample of `kind` can equal `nodata` (a float nodata never equals an integer). */
function integerNodata(kind: Exclude<SimdSampleKind, 'f32'>, nodata: number | null): boolean {
  if (nodata === null || !Number.isInteger(nodata)) return false;
  const [min, max] = INTEGER_RANGE[kind];
  return nodata >= min && nodata <= max;
}

/** Writes an epoch's nodata into the header; returns whether its samples are compared with it. */
function writeNodata(buffer: ArrayBufferLike, address: number, kind: SimdSampleKind, nodata: number | null): boolean {
  if (kind === 'f32') {
    // andValidMask compares float32 samples with the nodata rounded to float32; NaN equals nothing.
    if (nodata === null || Number.isNaN(nodata)) return false;
    new Float32Array(buffer, address, 4).fill(nodata);
    return true;
  }
  if (!integerNodata(kind, nodata)) return false;
  new Int16Array(buffer, address, 8).fill(nodata!); // u16 above 32767 wraps, as the lanes compare bits
  return true;
}

/** What the SIMD pass needs beyond the scalar pass's arguments. */
export interface SimdPassInput {
  before: ChangeSamples;
  after: ChangeSamples;
  width: number;
  height: number;
  bands: number;
  nodataBefore: number | null;
  nodataAfter: number | null;
  /** fuse-scores.ts packConstants */
  constants: Float64Array;
  excluded: Uint8Array | null;
}

/**
 * The float32 that a float32 score reaches exactly when it reaches `threshold` (a float64): the smallest
 * float32 ≥ threshold (+inf above the largest float32; NaN stays NaN, which nothing reaches). For a
 * float32 s, s ≥ threshold ⇔ s ≥ this, so the kernel's f32x4.ge decides as JavaScript's `>=` does.
 */
export function decisionThreshold(threshold: number): number {
  const f = Math.fround(threshold);
  if (!(f < threshold)) return f;
  if (f === 0) return 2 ** -149; // the smallest positive float32 (f is ±0 below a positive threshold)
  const bits = new Int32Array(new Float32Array([f]).buffer);
  bits[0]! += f > 0 ? 1 : -1; // one step towards +inf
  return new Float32Array(bits.buffer)[0]!;
}

/** True when the SIMD kernels can run this pass (engine with SIMD, band count, sample types). */
export function simdPassAvailable(before: ChangeSamples, after: ChangeSamples, bands: number): boolean {
  return bands >= 1 && bands <= MAX_SIMD_BANDS && simdSampleKind(before) !== null && simdSampleKind(after) !== null && hasSimd();
}

/**
 * changeScores / changeCues on the SIMD kernels (call only when simdPassAvailable): with `score`,
 * writes valid and score as changeScores, and with `decision` also the per-pixel decision (1 where
 * valid and score ≥ decision.threshold, else 0); else valid, cva and mad as changeCues. Arguments are
 * checked by the caller.
 */
export function simdChangePass(
  input: SimdPassInput,
  valid: Uint8Array,
  score: Float32Array | null,
  cva: Float32Array | null,
  mad: Float32Array | null,
  decision: ScoreDecision | null = null,
): void {
  const { before, after, width, height, bands, excluded } = input;
  const pixels = width * height;
  if (pixels === 0) return;
  const beforeKind = simdSampleKind(before)!;
  const afterKind = simdSampleKind(after)!;
  const layout = passLayout(width, height, bands, beforeKind, afterKind);
  const buffer: ArrayBufferLike = threadMemory(layout.end).buffer;
  // Arena arrays are read and written in place: they lie above every kernel's scratch, and their tail
  // covers what the kernel reads and writes past a row's end (the vectors of the last row; past any
  // other row it writes the start of the next one, which that row's own step then writes again).
  const inPlace = inArena(before) && inArena(after);
  const validInPlace = inArena(valid);
  const scoreInPlace = score !== null && inArena(score);
  const decisionInPlace = decision !== null && inArena(decision.out);
  const spec: KernelSpec = {
    bands,
    before: beforeKind,
    after: afterKind,
    nodataBefore: writeNodata(buffer, ND_BEFORE, beforeKind, input.nodataBefore),
    nodataAfter: writeNodata(buffer, ND_AFTER, afterKind, input.nodataAfter),
    excluded: excluded !== null,
    cues: score === null,
  };
  const k = kernel(spec);
  new Float32Array(buffer, CONSTANTS, input.constants.length).set(input.constants); // float32 values (the nodata entries are not read)
  // The row slots' padding and the zero slot must read +0, whatever an earlier pass left there.
  new Uint8Array(buffer, layout.fused[0], layout.score - layout.fused[0]).fill(0);
  const beforeIn: ChangeSamples = new VIEW[beforeKind](buffer, layout.before, (bands * layout.beforePlane) / BYTES[beforeKind]);
  const afterIn: ChangeSamples = new VIEW[afterKind](buffer, layout.after, (bands * layout.afterPlane) / BYTES[afterKind]);
  const excludedIn = new Uint8Array(buffer, layout.excluded, layout.rows * width);
  const validRows = layout.valid.map((a) => new Uint8Array(buffer, a + 1, width));
  const scoreRow = new Float32Array(buffer, layout.score, width);
  const decisionRow = new Uint8Array(buffer, layout.decision, width);
  if (decision !== null) new Float32Array(buffer, THRESHOLD, 1)[0] = decisionThreshold(decision.threshold);
  const cvaRow = new Float32Array(buffer, layout.cva, width);
  const madRow = new Float32Array(buffer, layout.mad, width);
  const beforeStride = inPlace ? pixels * BYTES[beforeKind] : layout.beforePlane;
  const afterStride = inPlace ? pixels * BYTES[afterKind] : layout.afterPlane;

  let chunkStart = -1;
  /** Copies the chunk of input rows holding row y into memory (once per chunk). */
  const ensureRow = (y: number): void => {
    if (chunkStart >= 0 && y < chunkStart + layout.rows) return;
    chunkStart = y;
    const end = Math.min(height, y + layout.rows);
    for (let b = 0; b < bands && !inPlace; b++) {
      const from = b * pixels + y * width;
      const to = b * pixels + end * width;
      beforeIn.set(before.subarray(from, to) as never, (b * beforeStride) / BYTES[beforeKind]);
      afterIn.set(after.subarray(from, to) as never, (b * afterStride) / BYTES[afterKind]);
    }
    if (excluded !== null) excludedIn.set(excluded.subarray(y * width, end * width));
  };
  /** Cue step of row y into slot s. */
  const cueRow = (y: number, s: number): void => {
    ensureRow(y);
    const r = y - chunkStart;
    k.cueRow(
      inPlace ? before.byteOffset + y * width * BYTES[beforeKind] : layout.before + r * width * BYTES[beforeKind],
      inPlace ? after.byteOffset + y * width * BYTES[afterKind] : layout.after + r * width * BYTES[afterKind],
      beforeStride,
      afterStride,
      layout.excluded + r * width,
      width,
      layout.fused[s] + 4,
      validInPlace ? valid.byteOffset + y * width : layout.valid[s] + 1,
      layout.count[s] + 4,
      layout.cva,
      layout.mad,
      layout.scratch,
    );
  };

  if (score === null) {
    for (let y = 0; y < height; y++) {
      cueRow(y, 0);
      if (!validInPlace) valid.set(validRows[0], y * width);
      cva!.set(cvaRow, y * width);
      mad!.set(madRow, y * width);
    }
    return;
  }
  // Row y lives in slot y % 3; slot 3 stays zero and stands for the rows outside the image.
  const ZERO = 3;
  cueRow(0, 0);
  for (let y = 0; y < height; y++) {
    const hasNext = y + 1 < height;
    if (hasNext) cueRow(y + 1, (y + 1) % 3);
    const above = y > 0 ? (y + 2) % 3 : ZERO;
    const below = hasNext ? (y + 1) % 3 : ZERO;
    const s = y % 3;
    const scoreAt = scoreInPlace ? score.byteOffset + 4 * y * width : layout.score;
    if (decision === null) {
      k.boxRow(layout.fused[above], layout.fused[s], layout.fused[below], layout.count[above], layout.count[s], layout.count[below], width, scoreAt);
    } else {
      const decisionAt = decisionInPlace ? decision.out.byteOffset + y * width : layout.decision;
      k.boxDecideRow(layout.fused[above], layout.fused[s], layout.fused[below], layout.count[above], layout.count[s], layout.count[below], width, scoreAt, decisionAt);
      if (!decisionInPlace) decision.out.set(decisionRow, y * width);
    }
    if (!validInPlace) valid.set(validRows[s], y * width);
    if (!scoreInPlace) score.set(scoreRow, y * width);
  }
}
