/** Benchmark: clearPairShadows over both epochs of the 2048² scene (its 4 bands, red standing in for swir16). */

import { BENCH_PIXELS, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { clearPairShadows, type ShadowEpoch } from './cloud-shadow-pair.js';

export function bench(): BenchResult[] {
  const pair = benchImagePair();
  // The test clears in place and a second run clears nothing more, so repeated runs on one copy time the
  // same comparisons (the pixels cleared by the first run then fail them early, as unusable pixels do).
  const before = pair.before.slice();
  const after = pair.after.slice();
  const epoch: ShadowEpoch = { at: { blue: 0, green: 1, red: 2, nir: 3, swir16: 2 }, scale: 1e-4, offset: 0 };
  let cleared = 0;
  const ms = bestTimeMs(() => {
    const c = clearPairShadows(before, after, BENCH_PIXELS, 4, 4, epoch, epoch);
    cleared = c.before + c.after;
  });
  return [benchRow('clearPairShadows (2 epochs × 5 bands)', BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [pair.before, pair.after]), cleared)];
}
