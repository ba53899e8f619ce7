/** Benchmark: accumulateBandStats over both epochs of the 2048² 4-band pair, plus finishBandStats. */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import { BENCH_BANDS, BENCH_HEIGHT, BENCH_NODATA, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { referenceBandStats } from './reference-kernels.js';
import { andValidMask } from './valid-mask.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const valid = new Uint8Array(BENCH_PIXELS).fill(1);
  andValidMask(before, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, BENCH_NODATA, valid);
  andValidMask(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, BENCH_NODATA, valid);

  const beforeAcc = new Float64Array(3 * BENCH_BANDS);
  const afterAcc = new Float64Array(3 * BENCH_BANDS);
  let stdSum = 0;
  const ms = bestTimeMs(() => {
    beforeAcc.fill(0);
    afterAcc.fill(0);
    accumulateBandStats(before, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid, beforeAcc);
    accumulateBandStats(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid, afterAcc);
    stdSum = sumOf(finishBandStats(beforeAcc, BENCH_BANDS).std) + sumOf(finishBandStats(afterAcc, BENCH_BANDS).std);
  });
  const checksum = stdSum; // Σ std over bands and epochs, comparable with the reference row

  let referenceStd = 0;
  const referenceMs = bestTimeMs(() => {
    referenceStd =
      sumOf(referenceBandStats(before, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid).std) +
      sumOf(referenceBandStats(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid).std);
  }, 1, 3);

  const copy = copyBaseline(BENCH_PIXELS, [before, after, valid]);
  return [
    benchRow('accumulateBandStats (2 epochs × 4 bands)', BENCH_PIXELS, ms, copy, checksum),
    benchRow('  naive two-pass reference', BENCH_PIXELS, referenceMs, copy, referenceStd),
  ];
}
