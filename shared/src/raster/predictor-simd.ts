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
 * - the group's spp vectors are de-interleaved into one vector per band with i8x16.shuffle (for 2, 4
 *   and 8 samples per pixel by rounds of interleaving zips, else by gathering each band's lanes) and
 *   stored to the band planes. Groups before the window's first column only advance the carry.
 *
 * Memory (the thread's one linear memory, wasm/runtime.ts): a chunk of block rows copied in, then its
 * output planes, from which the window's rows are copied out.
 */

import { type Expr, type FunctionBuilder, type Local, ModuleBuilder, i16x8, i32, i8x16, storeV128, v128 } from '../kernels/wasm/builder.js';
import { hasSimd, instantiate, threadMemory } from '../kernels/wasm/runtime.js';
import type { Samples } from './copy-kernels.js';

/** Largest samples-per-pixel count with a SIMD kernel (16-byte vectors hold at least 8 uint16 lanes). */
export const MAX_SIMD_SPP = 8;

type V = Expr<'v128'>;
type Params = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
const PARAMS: Params = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];

/** A vector local and, per lane, which sample of the group (pixel·spp + band) it holds. */
interface Tracked {
  value: Local<'v128'>;
  samples: number[];
}

/** i8x16.shuffle byte indices moving lane `picks[j]` (of a: [0, lane], of b: [1, lane]) to lane j. */
function laneShuffle(bytes: number, picks: ReadonlyArray<readonly [0 | 1, number]>): number[] {
  const out: number[] = [];
  for (const [from, lane] of picks) for (let t = 0; t < bytes; t++) out.push(16 * from + lane * bytes + t);
  return out;
}

/**
 * accumulate(src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, g0, g1), addresses in bytes: for
 * each of `rows` rows (row r at src + r·srcRowBytes, pixel-interleaved), accumulates groups 0 … g1−1
 * of L pixels and stores groups g0 … g1−1 to the planes: band b of pixel x of row r at dst +
 * b·planeBytes + r·dstRowBytes + (x − g0·L)·bytes. Needs g1 > g0 ≥ 0. Reads whole groups (the last one
 * may run past the row) and writes whole vectors (up to L − 1 pixels past the last one asked for).
 */
function emitAccumulate(f: FunctionBuilder<Params>, bytes: 1 | 2, spp: number): void {
  const [src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, g0, g1] = f.params;
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
  const planeOffset = Array.from({ length: spp }, (_, b) => (b === 0 ? null : f.let(i32.mul(get(planeBytes), i32.const(b)))));

  const carry = f.local('v128');
  const inAt = f.local('i32');
  const outAt = f.local('i32');
  const rowIn = f.local('i32');
  const rowOut = f.local('i32');
  const r = f.local('i32');
  const g = f.local('i32');

  /** Loads the group at inAt and returns its spp vectors accumulated (carry updated). */
  const accumulateGroup = (): Tracked[] =>
    Array.from({ length: spp }, (_, k) => {
      const x = f.let(v128.load(get(inAt), 16 * k));
      for (let s = spp; s < L; s *= 2) f.set(x, add(get(x), shifted(get(x), s)));
      const sum = f.let(add(get(x), get(carry)));
      f.set(carry, bandsAligned ? add(get(carry), lastPixel(get(x))) : lastPixel(get(sum)));
      return { value: sum, samples: Array.from({ length: L }, (_, i) => k * L + i) };
    });

  /** Lanes of a (0) or b (1) into a new tracked local. */
  const combine = (a: Tracked, b: Tracked, picks: ReadonlyArray<readonly [0 | 1, number]>): Tracked => ({
    value: f.let(shuffle(get(a.value), get(b.value), picks)),
    samples: picks.map(([from, lane]) => (from === 0 ? a : b).samples[lane]!),
  });

  /** One vector per band, in pixel order. */
  const bandVectors = (group: Tracked[]): Tracked[] => {
    if (spp === 1) return group;
    if ((spp & (spp - 1)) === 0) {
      // Interleaving zips (one instruction each: unpack low / high) of vectors j and j + spp/2, log2(L)
      // rounds: read as bits, a sample's position (vector, lane) starts as (pixel, band) and each round
      // rotates it left by one bit, so log2(L) rounds leave it at (band, pixel).
      let vs = group;
      for (let round = 1; round < L; round *= 2) {
        const half = vs.length / 2;
        const next: Tracked[] = [];
        for (let j = 0; j < half; j++) {
          for (const upper of [0, L / 2]) next.push(combine(vs[j]!, vs[j + half]!, lanes((i) => [(i % 2) as 0 | 1, upper + Math.floor(i / 2)])));
        }
        vs = next;
      }
      return vs;
    }
    // Band b's lane p is group sample p·spp + b, in vector ⌊(p·spp + b) / L⌋: gather vector by vector.
    return Array.from({ length: spp }, (_, b) => {
      const want = Array.from({ length: L }, (_, p) => p * spp + b);
      const vectorOf = (s: number) => Math.floor(s / L);
      const sources = [...new Set(want.map(vectorOf))];
      const first = group[sources[0]!]!;
      let acc = combine(first, group[sources[1] ?? sources[0]!]!, lanes((i) => {
        const s = want[i]!;
        return vectorOf(s) === sources[0] ? [0, s % L] : vectorOf(s) === sources[1] ? [1, s % L] : [0, i];
      }));
      for (let n = 2; n < sources.length; n++) {
        const held = acc.samples.map((s, i) => s === want[i]);
        acc = combine(acc, group[sources[n]!]!, lanes((i) => (held[i] ? [0, i] : vectorOf(want[i]!) === sources[n] ? [1, want[i]! % L] : [0, i])));
      }
      return acc;
    });
  };

  f.set(rowIn, get(src));
  f.set(rowOut, get(dst));
  f.when(i32.gtS(get(rows), i32.const(0)), () => {
    f.loop((nextRow) => {
      f.set(carry, get(zero));
      f.set(inAt, get(rowIn));
      f.set(g, i32.const(0));
      f.when(i32.gtS(get(g0), i32.const(0)), () => {
        f.loop((nextSkipped) => {
          accumulateGroup();
          f.set(inAt, i32.add(get(inAt), i32.const(16 * spp)));
          f.set(g, i32.add(get(g), i32.const(1)));
          f.brIf(nextSkipped, i32.ltS(get(g), get(g0)));
        });
      });
      f.set(outAt, get(rowOut));
      f.loop((nextGroup) => {
        const bands = bandVectors(accumulateGroup());
        for (let b = 0; b < spp; b++) {
          const vector = bands.find((t) => t.samples.every((s, p) => s === p * spp + b));
          if (vector === undefined) throw new Error(`predictor kernel: no vector holds band ${b} (spp ${spp}, ${bytes} bytes)`);
          const offset = planeOffset[b];
          f.do(storeV128(offset === null || offset === undefined ? get(outAt) : i32.add(get(outAt), get(offset)), get(vector.value)));
        }
        f.set(inAt, i32.add(get(inAt), i32.const(16 * spp)));
        f.set(outAt, i32.add(get(outAt), i32.const(16)));
        f.set(g, i32.add(get(g), i32.const(1)));
        f.brIf(nextGroup, i32.ltS(get(g), get(g1)));
      });
      f.set(rowIn, i32.add(get(rowIn), get(srcRowBytes)));
      f.set(rowOut, i32.add(get(rowOut), get(dstRowBytes)));
      f.set(r, i32.add(get(r), i32.const(1)));
      f.brIf(nextRow, i32.ltS(get(r), get(rows)));
    });
  });
}

/** The module for samples of `bytes` bytes, `spp` per pixel (exported for the tests, which validate it). */
export function predictorModule(bytes: 1 | 2, spp: number): Uint8Array {
  if (!Number.isInteger(spp) || spp < 1 || spp > MAX_SIMD_SPP) throw new RangeError(`no predictor kernel for ${spp} samples per pixel`);
  const m = new ModuleBuilder();
  m.function('accumulate', PARAMS, (f) => emitAccumulate(f, bytes, spp));
  return m.encode();
}

type Accumulate = (src: number, srcRowBytes: number, dst: number, dstRowBytes: number, planeBytes: number, rows: number, g0: number, g1: number) => void;
const kernels = new Map<number, Accumulate>();

function kernel(bytes: 1 | 2, spp: number): Accumulate {
  const key = bytes * 16 + spp;
  let k = kernels.get(key);
  if (k === undefined) {
    k = instantiate(predictorModule(bytes, spp)).accumulate as Accumulate;
    kernels.set(key, k);
  }
  return k;
}

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

/** Room past the rows read: the last group of the last row reads up to L − 1 pixels past it. */
const SLACK = 16 * MAX_SIMD_SPP;
/** Where rows are copied in. */
const INPUT = 0;
/**
 * Bytes of rows copied in, and of output planes, per kernel call: the planes are still in the cache
 * when they are copied out, and the memory stays small whatever the block size.
 */
const CHUNK_BYTES = 256 * 1024;
const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

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
  const source = src as Uint8Array | Uint16Array;
  const linear = threadMemory(0).buffer;
  if (out.buffer === linear || source.buffer === linear) return false;
  if (rows <= 0 || c1 <= c0) return true;
  const L = 16 / bytes;
  const g0 = Math.floor(c0 / L);
  const g1 = Math.ceil(c1 / L);
  const cols = c1 - c0;
  const lead = c0 - g0 * L; // pixels written before column c0
  // Plane rows back to back when they can be copied out in one piece: each row's last vector runs
  // into the next row, which is written after it.
  const contiguous = lead === 0 && dstRowStride === cols;
  const outRowBytes = contiguous ? cols * bytes : (g1 - g0) * 16;
  const rowBytes = rowStride * bytes;
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(CHUNK_BYTES / Math.max(spp * outRowBytes, rowBytes))));
  const planes = align(INPUT + chunkRows * rowBytes + SLACK);
  const planeBytes = align(chunkRows * outRowBytes + 16);
  const memory = new Uint8Array(threadMemory(planes + spp * planeBytes + SLACK).buffer);
  const accumulate = kernel(bytes, spp);
  const target = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    const at = first + r0 * rowStride; // sample index of the chunk's first row in src
    const count = Math.min(n * rowStride, source.length - at);
    memory.set(new Uint8Array(source.buffer, source.byteOffset + at * bytes, count * bytes), INPUT);
    accumulate(INPUT, rowBytes, planes, outRowBytes, planeBytes, n, g0, g1);
    for (let b = 0; b < spp; b++) {
      const plane = planes + b * planeBytes;
      const to = (dst + b * planeSize + r0 * dstRowStride) * bytes;
      if (contiguous) {
        target.set(memory.subarray(plane, plane + n * cols * bytes), to);
        continue;
      }
      for (let r = 0; r < n; r++) {
        const from = plane + r * outRowBytes + lead * bytes;
        target.set(memory.subarray(from, from + cols * bytes), to + r * dstRowStride * bytes);
      }
    }
  }
  return true;
}
