/** Benchmark: andClearSkyMask over one epoch of the 2048² scene (its 4 bands reused as 6). */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { andClearSkyMask } from './cloud-mask.js';

export function bench(): BenchResult[] {
  const { after } = benchImagePair();
  const valid = new Uint8Array(BENCH_PIXELS);
  // bench imagery has blue, green, red, nir: red stands in for swir16 (the test only needs values).
  const at = { blue: 0, green: 1, red: 2, nir: 3, swir16: 2, swir22: -1 };
  const ms = bestTimeMs(() => {
    valid.fill(1);
    andClearSkyMask(after, BENCH_WIDTH, BENCH_HEIGHT, 4, at, 1e-4, 0, valid);
  });
  return [benchRow('andClearSkyMask (1 epoch × 5 bands)', BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [after]), sumOf(valid))];
}
