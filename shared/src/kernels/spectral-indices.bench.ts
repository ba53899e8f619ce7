/** Benchmark: the typing indices (NDVI, BSI, ExG, chroma) and their per-label sums on the 2048² scene. */

import { BENCH_PIXELS, benchImagePair, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { bareSoilIndex, chroma, excessGreen, normalizedDifference } from './spectral-indices.js';
import { accumulateLabelSums } from './label-sums.js';

export function bench(): BenchResult[] {
  const { after } = benchImagePair();
  const out = new Float32Array(BENCH_PIXELS);
  const copy = copyBaseline(BENCH_PIXELS, [after]);
  const rows: BenchResult[] = [];
  const run = (name: string, kernel: () => void) => rows.push(benchRow(name, BENCH_PIXELS, bestTimeMs(kernel), copy, sumOf(out.subarray(0, 1024))));
  run('normalizedDifference (NDVI)', () => normalizedDifference(after, BENCH_PIXELS, 3, 2, out));
  run('bareSoilIndex (4 bands)', () => bareSoilIndex(after, BENCH_PIXELS, 2, 2, 3, 0, out));
  run('excessGreen (RGB)', () => excessGreen(after, BENCH_PIXELS, 2, 1, 0, out));
  run('chroma (RGB)', () => chroma(after, BENCH_PIXELS, 2, 1, 0, out));
  const labels = Int32Array.from(benchMasks().sparse, (v, i) => (v === 1 ? 1 + (i % 1000) : 0));
  const sums = new Float64Array(1001);
  const ms = bestTimeMs(() => {
    sums.fill(0);
    accumulateLabelSums(labels, out, BENCH_PIXELS, 10000, 1, 0, sums);
  });
  rows.push(benchRow('accumulateLabelSums (1 channel)', BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [labels, out]), sumOf(sums)));
  return rows;
}
