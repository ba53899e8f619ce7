/**
 * What the WebAssembly SIMD kernels that write decoded block rows into band planes share
 * (predictor-simd.ts: undo Predictor 2 while de-interleaving; deinterleave-simd.ts: de-interleave alone):
 * the shuffles that turn a group of pixel-interleaved vectors into one vector per band, and the driver
 * that moves rows through the thread's linear memory in chunks.
 *
 * A group is L pixels of a row (L = 16 / bytes per sample lanes), that is `spp` vectors. Its vectors are
 * de-interleaved with i8x16.shuffle: for 2, 4 and 8 samples per pixel by rounds of interleaving zips,
 * else by gathering each band's lanes.
 */

import { type Expr, type FunctionBuilder, type Local, i32, storeV128, v128 } from '../kernels/wasm/builder.js';
import type { ValTypeName } from '../kernels/wasm/opcodes.js';
import { inScratch, instantiate, threadMemory } from '../kernels/wasm/runtime.js';
import type { Samples } from './copy-kernels.js';

/** Largest samples-per-pixel count with a SIMD kernel. */
export const MAX_SIMD_SPP = 8;

/** Kernel parameters: (src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, g0, g1), addresses in bytes. */
export type RowsParams = readonly ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
export const ROWS_PARAMS: RowsParams = ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'];
export type RowsKernel = (src: number, srcRowBytes: number, dst: number, dstRowBytes: number, planeBytes: number, rows: number, g0: number, g1: number) => void;

type V = Expr<'v128'>;

/**
 * The rows kernel named `name` for (bytes per sample, samples per pixel), compiled from `moduleOf` on first
 * use in this thread and kept.
 */
export function rowsKernels<B extends number>(name: string, moduleOf: (bytes: B, spp: number) => Uint8Array): (bytes: B, spp: number) => RowsKernel {
  const kernels = new Map<number, RowsKernel>();
  return (bytes, spp) => {
    const key = bytes * 16 + spp;
    let k = kernels.get(key);
    if (k === undefined) {
      k = instantiate(moduleOf(bytes, spp))[name] as RowsKernel;
      kernels.set(key, k);
    }
    return k;
  };
}

/** A vector local and, per lane, which sample of the group (pixel·spp + band) it holds. */
export interface Tracked {
  value: Local<'v128'>;
  samples: number[];
}

/** i8x16.shuffle byte indices moving lane `picks[j]` (of a: [0, lane], of b: [1, lane]) to lane j. */
export function laneShuffle(bytes: number, picks: ReadonlyArray<readonly [0 | 1, number]>): number[] {
  const out: number[] = [];
  for (const [from, lane] of picks) for (let t = 0; t < bytes; t++) out.push(16 * from + lane * bytes + t);
  return out;
}

/**
 * One vector per band, in pixel order, from a group's `spp` vectors (vector k holds the group's samples
 * k·L … k·L + L − 1); `bytes` per sample.
 */
export function bandVectors<P extends readonly ValTypeName[]>(f: FunctionBuilder<P>, bytes: number, spp: number, group: Tracked[]): Tracked[] {
  if (spp === 1) return group;
  const L = 16 / bytes;
  const lanes = (pick: (i: number) => readonly [0 | 1, number]) => Array.from({ length: L }, (_, i) => pick(i));
  const combine = (a: Tracked, b: Tracked, picks: ReadonlyArray<readonly [0 | 1, number]>): Tracked => ({
    value: f.let(v128.shuffle(f.get(a.value), f.get(b.value), laneShuffle(bytes, picks)) as V),
    samples: picks.map(([from, lane]) => (from === 0 ? a : b).samples[lane]!),
  });
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
}

/**
 * The rows loop of a kernel: for each of `rows` rows (row r at src + r·srcRowBytes, pixel-interleaved),
 * `group(inAt)` yields the spp vectors of the group at inAt; groups 0 … g0 − 1 are only passed to
 * `skip(inAt)` (when given), groups g0 … g1 − 1 are de-interleaved and stored to the planes: band b of
 * pixel x of row r at dst + b·planeBytes + r·dstRowBytes + (x − g0·L)·bytes. `startRow` runs at each row's
 * start. Needs g1 > g0 ≥ 0. Reads whole groups (the last one may run past the row) and writes whole
 * vectors (up to L − 1 pixels past the last one asked for).
 */
export function emitRowsToPlanes(
  f: FunctionBuilder<RowsParams>,
  bytes: number,
  spp: number,
  parts: { startRow: () => void; group: (inAt: Local<'i32'>) => Tracked[]; skip?: (inAt: Local<'i32'>) => void },
): void {
  const [src, srcRowBytes, dst, dstRowBytes, planeBytes, rows, g0, g1] = f.params;
  const get = <T extends 'i32' | 'v128'>(l: Local<T>) => f.get(l);
  const planeOffset = Array.from({ length: spp }, (_, b) => (b === 0 ? null : f.let(i32.mul(get(planeBytes), i32.const(b)))));
  const inAt = f.local('i32');
  const outAt = f.local('i32');
  const rowIn = f.local('i32');
  const rowOut = f.local('i32');
  const r = f.local('i32');
  const g = f.local('i32');
  f.set(rowIn, get(src));
  f.set(rowOut, get(dst));
  f.when(i32.gtS(get(rows), i32.const(0)), () => {
    f.loop((nextRow) => {
      parts.startRow();
      f.set(inAt, get(rowIn));
      f.set(g, i32.const(0));
      const skip = parts.skip;
      if (skip !== undefined) {
        f.when(i32.gtS(get(g0), i32.const(0)), () => {
          f.loop((nextSkipped) => {
            skip(inAt);
            f.set(inAt, i32.add(get(inAt), i32.const(16 * spp)));
            f.set(g, i32.add(get(g), i32.const(1)));
            f.brIf(nextSkipped, i32.ltS(get(g), get(g0)));
          });
        });
      }
      f.set(outAt, get(rowOut));
      f.loop((nextGroup) => {
        const bands = bandVectors(f, bytes, spp, parts.group(inAt));
        for (let b = 0; b < spp; b++) {
          const vector = bands.find((t) => t.samples.every((s, p) => s === p * spp + b));
          if (vector === undefined) throw new Error(`planes kernel: no vector holds band ${b} (spp ${spp}, ${bytes} bytes)`);
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
 * Runs a rows kernel (emitRowsToPlanes) over `rows` rows of `source` (`bytes`-byte samples, `spp` a
 * pixel, rows `rowStride` samples apart, the first at sample `first`), writing columns [c0, c1) to the
 * planes of `out` (same sample width, neither in the kernels' scratch): band b of pixel (x, r) to
 * out[dst + b·planeSize + r·dstRowStride + x − c0]. Rows go in chunks (CHUNK_BYTES): copied in, run,
 * copied out. Needs rows > 0 and c1 > c0.
 */
export function rowsToPlanesSimd(
  kernel: RowsKernel,
  bytes: number,
  spp: number,
  source: ArrayBufferView,
  first: number,
  rowStride: number,
  c0: number,
  c1: number,
  out: ArrayBufferView,
  dst: number,
  planeSize: number,
  dstRowStride: number,
  rows: number,
): void {
  const L = 16 / bytes;
  const g0 = Math.floor(c0 / L);
  const g1 = Math.ceil(c1 / L);
  const cols = c1 - c0;
  const lead = c0 - g0 * L; // pixels written before column c0
  // Plane rows back to back when they can be copied out in one piece: each row's last vector runs
  // into the next row, which is written after it.
  const contiguous = lead === 0 && dstRowStride === cols;
  const outRowBytes = contiguous ? cols * bytes : (g1 - g0) * 16;
  // A window much narrower than its rows (a halo's strip of a block) copies in only the groups the kernel
  // reads of each row, packed, rather than whole rows.
  const span = g1 * L * spp; // samples of a row the kernel reads, from its first
  const packed = 2 * span <= rowStride;
  const rowBytes = (packed ? span : rowStride) * bytes;
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(CHUNK_BYTES / Math.max(spp * outRowBytes, rowBytes))));
  const planes = align(INPUT + chunkRows * rowBytes + SLACK);
  const planeBytes = align(chunkRows * outRowBytes + 16);
  const memory = new Uint8Array(threadMemory(planes + spp * planeBytes + SLACK).buffer);
  const sourceSamples = source.byteLength / bytes;
  const target = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    const at = first + r0 * rowStride; // sample index of the chunk's first row in source
    if (packed) {
      for (let r = 0; r < n; r++) {
        const from = at + r * rowStride;
        const count = Math.min(span, sourceSamples - from);
        memory.set(new Uint8Array(source.buffer, source.byteOffset + from * bytes, count * bytes), INPUT + r * rowBytes);
      }
    } else {
      const count = Math.min(n * rowStride, sourceSamples - at);
      memory.set(new Uint8Array(source.buffer, source.byteOffset + at * bytes, count * bytes), INPUT);
    }
    kernel(INPUT, rowBytes, planes, outRowBytes, planeBytes, n, g0, g1);
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
}

/** Whether `samples` can take a SIMD planes kernel: a typed array outside the kernels' scratch (wasm/runtime.ts). */
export function outsideLinearMemory(samples: Samples): boolean {
  return ArrayBuffer.isView(samples) && !inScratch(samples as unknown as ArrayBufferView);
}
