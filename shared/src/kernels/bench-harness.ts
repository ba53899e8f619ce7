import type { BenchResult } from './bench-types.js';

/**
 * Timing helpers for the kernel benchmarks (benchmark-only code, never used by the pipeline).
 *
 * Method: `warmup` untimed runs (so the JIT has optimised the kernel), then at least `repetitions`
 * timed runs with performance.now(), more until MIN_TIMED_MS of timed runs have passed; the best
 * (minimum) time is reported, because on a shared machine noise only ever adds time, and a fast
 * kernel gets as many draws at a quiet moment as its time allows (the in-run references of
 * scripts/bench/ follow the same rule). The memory baseline copies exactly the bytes a kernel reads with
 * TypedArray.prototype.set (a memcpy inside V8): a kernel cannot stream its inputs faster than
 * that, so ratio = kernel / copy shows how close to memory speed it runs.
 */

/** Timed runs go on until this many milliseconds of them have passed (and `repetitions` are done). */
export const MIN_TIMED_MS = 400;

/** Best wall time in milliseconds of `run` over at least `repetitions` runs (and MIN_TIMED_MS) after `warmup` runs. */
export function bestTimeMs(run: () => void, warmup = 2, repetitions = 5): number {
  for (let i = 0; i < warmup; i++) run();
  let best = Infinity;
  let total = 0;
  for (let i = 0; i < repetitions || total < MIN_TIMED_MS; i++) {
    const start = performance.now();
    run();
    const elapsed = performance.now() - start;
    total += elapsed;
    if (elapsed < best) best = elapsed;
  }
  return best;
}

/** Megapixels per second for `pixels` processed in `ms` milliseconds. */
export function mpxPerSec(pixels: number, ms: number): number {
  return pixels / (ms * 1000);
}

/** Throughput of copying the bytes of `inputs` with TypedArray.prototype.set, and its description. */
export function copyBaseline(pixels: number, inputs: readonly ArrayBufferView[]): { mpxPerSec: number; baseline: string } {
  const views = inputs.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const bytes = views.reduce((sum, v) => sum + v.byteLength, 0);
  const destination = new Uint8Array(bytes);
  const ms = bestTimeMs(() => {
    let offset = 0;
    for (const view of views) {
      destination.set(view, offset);
      offset += view.byteLength;
    }
  });
  // read the copy back so it cannot be considered dead
  if (destination[bytes >> 1] === 256) throw new Error('unreachable');
  return { mpxPerSec: mpxPerSec(pixels, ms), baseline: `set() copy ${(bytes / 2 ** 20).toFixed(0)} MiB` };
}

/**
 * A result row: `pixels` processed in `ms`, against a baseline from copyBaseline; `target` is the
 * throughput (Mpx/s) the kernel should reach, null for rows without one (naive references).
 */
export function benchRow(
  name: string,
  pixels: number,
  ms: number,
  copy: { mpxPerSec: number; baseline: string },
  checksum: number,
  target: number | null = null,
): BenchResult {
  return { name, mpxPerSec: mpxPerSec(pixels, ms), baselineMpxPerSec: copy.mpxPerSec, baseline: copy.baseline, checksum, targetMpxPerSec: target };
}

/** Sum of all elements, as a checksum computed outside the timed loop. */
export function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}
