/** Benchmark: andNotEveryBandAtMask (saturation and fill) over one epoch of the 2048² 4-band scene. */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { andNotEveryBandAtMask } from './every-band-at-mask.js';

export function bench(): BenchResult[] {
  const { after } = benchImagePair();
  const valid = new Uint8Array(BENCH_PIXELS);
  const ms = bestTimeMs(() => {
    valid.fill(1);
    andNotEveryBandAtMask(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, 10000, valid);
  });
  return [benchRow('andNotEveryBandAtMask (1 epoch × 4 bands)', BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [after]), sumOf(valid))];
}
