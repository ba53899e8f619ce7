/** Benchmark: equal-neighbour counts by lattice parity (the replicated-band test) on the 2048² 4-band scene. */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { accumulateNeighbourEquality, EQUALITY_COUNTS_PER_BAND } from './neighbour-equality.js';

export function bench(): BenchResult[] {
  const { after } = benchImagePair();
  const counts = new Float64Array(BENCH_BANDS * EQUALITY_COUNTS_PER_BAND);
  const ms = bestTimeMs(() => {
    counts.fill(0);
    accumulateNeighbourEquality(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, 0, 0, counts);
  });
  return [benchRow(`accumulateNeighbourEquality (${BENCH_BANDS} bands)`, BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [after]), sumOf(counts))];
}
