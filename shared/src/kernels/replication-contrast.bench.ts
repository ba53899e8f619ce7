/** Benchmark: the replicated-band test's local parity contrast on the 2048² 4-band scene. */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { accumulateReplicationContrast, REPLICATION_COUNTS_PER_BAND } from './replication-contrast.js';

export function bench(): BenchResult[] {
  const { after } = benchImagePair();
  const counts = new Float64Array(BENCH_BANDS * REPLICATION_COUNTS_PER_BAND);
  const ms = bestTimeMs(() => {
    counts.fill(0);
    accumulateReplicationContrast(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, null, counts);
  });
  return [benchRow(`accumulateReplicationContrast (${BENCH_BANDS} bands)`, BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [after]), sumOf(counts))];
}
