/** Benchmark: the evidence stretch's two percentiles (2 % and 98 %) of one band of the 2048² image, by
 *  selection against sorting every value (what percentileStretch did before). */

import { BENCH_PIXELS, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { selectKth } from './select-kth.js';

export function bench(): BenchResult[] {
  const band = benchImagePair().after.subarray(0, BENCH_PIXELS);
  const work = new Float32Array(BENCH_PIXELS);
  const low = Math.floor(0.02 * (BENCH_PIXELS - 1));
  const high = Math.ceil(0.98 * (BENCH_PIXELS - 1));
  const copy = copyBaseline(BENCH_PIXELS, [band]);
  let selected = 0;
  const ms = bestTimeMs(() => {
    work.set(band);
    selected = selectKth(work, low) + selectKth(work, high, low, BENCH_PIXELS);
  });
  let sorted = 0;
  const sortMs = bestTimeMs(() => {
    work.set(band);
    work.sort();
    sorted = work[low]! + work[high]!;
  }, 1, 3);
  return [benchRow('selectKth: 2 % and 98 % of one band', BENCH_PIXELS, ms, copy, selected), benchRow('  Float32Array sort, then index', BENCH_PIXELS, sortMs, copy, sorted)];
}
