/** Benchmark: the seasonal exclusion's vegetation test (NDVI, ExG) over both epochs of the 2048² scene. */

import { BENCH_PIXELS, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { vegetatedInBothMask } from './vegetation-mask.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const out = new Uint8Array(BENCH_PIXELS);
  const copy = copyBaseline(BENCH_PIXELS, [before.subarray(0, 2 * BENCH_PIXELS), after.subarray(0, 2 * BENCH_PIXELS)]);
  const ndvi = bestTimeMs(() => vegetatedInBothMask(before, after, BENCH_PIXELS, { index: 'ndvi', nir: 3, red: 2, floor: 0.3 }, out));
  const ndviSum = sumOf(out);
  const exg = bestTimeMs(() => vegetatedInBothMask(before, after, BENCH_PIXELS, { index: 'exg', red: 2, green: 1, blue: 0, floor: 0.05 }, out));
  return [
    benchRow('vegetatedInBothMask (NDVI, both epochs)', BENCH_PIXELS, ndvi, copy, ndviSum),
    benchRow('vegetatedInBothMask (ExG, both epochs)', BENCH_PIXELS, exg, copy, sumOf(out)),
  ];
}
