/** Benchmark: andValidMask over both epochs of the 2048² 4-band pair (fill + two calls). A reference step:
 *  detection runs validity inside the one-pass change kernel, whose row carries issue 3's target. */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_NODATA, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { referenceValidMask } from './reference-kernels.js';
import { andValidMask } from './valid-mask.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const valid = new Uint8Array(BENCH_PIXELS);
  const ms = bestTimeMs(() => {
    valid.fill(1);
    andValidMask(before, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, BENCH_NODATA, valid);
    andValidMask(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, BENCH_NODATA, valid);
  });
  const checksum = sumOf(valid);

  let reference: Uint8Array = new Uint8Array(0);
  const referenceMs = bestTimeMs(() => {
    reference = referenceValidMask([before, after], BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, BENCH_NODATA);
  }, 1, 3);
  const referenceChecksum = sumOf(reference);

  const copy = copyBaseline(BENCH_PIXELS, [before, after]);
  return [
    benchRow('andValidMask (2 epochs × 4 bands)', BENCH_PIXELS, ms, copy, checksum),
    benchRow('  naive reference', BENCH_PIXELS, referenceMs, copy, referenceChecksum),
  ];
}
