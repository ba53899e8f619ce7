/**
 * Benchmark: labelComponents + componentStats (2 class bits) on the 2048² sparse blob mask
 * (~5 %) and the 50 % noise mask — the vectorisation front end as the pipeline runs it — and the
 * same work fused in labelComponentsWithStats (identical outputs, same checksum).
 */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { componentStats } from './component-stats.js';
import { labelComponents, labelComponentsWithStats, labelScratchLength } from './label-components.js';
import { mulberry32 } from './test-random.js';

/** Issue 3: labelling with per-patch stats ≥ 300 Mpx/s on the sparse mask, ≥ 60 on 50 % noise. */
export function labellingTarget(mask: string): number {
  return mask.startsWith('noise') ? 60 : 300;
}

export function bench(): BenchResult[] {
  const masks = benchMasks();
  const random = mulberry32(77);
  const score = Float32Array.from({ length: BENCH_PIXELS }, () => random() * 6);
  // bit 0 farmland on the left 60 % of the tile, bit 1 red line in a horizontal band
  const classes = Uint8Array.from({ length: BENCH_PIXELS }, (_, i) => {
    const x = i % BENCH_WIDTH;
    const y = (i - x) / BENCH_WIDTH;
    return (x < BENCH_WIDTH * 0.6 ? 1 : 0) | (y > 800 && y < 1200 ? 2 : 0);
  });
  const labels = new Int32Array(BENCH_PIXELS);
  const scratch = new Int32Array(labelScratchLength(BENCH_WIDTH, BENCH_HEIGHT));
  const results: BenchResult[] = [];
  for (const [label, mask] of [
    ['sparse blobs 5 %', masks.sparse],
    ['noise 50 %', masks.noise],
  ] as const) {
    const copy = copyBaseline(BENCH_PIXELS, [mask, score, classes]);
    let checksum = 0;
    const ms = bestTimeMs(() => {
      const n = labelComponents(mask, BENCH_WIDTH, BENCH_HEIGHT, labels, scratch);
      const stats = componentStats(labels, n, BENCH_WIDTH, BENCH_HEIGHT, score, classes, 2);
      checksum = n + sumOf(stats.pixelCount) + sumOf(stats.classCount);
    });
    results.push(benchRow(`labelComponents + componentStats (${label})`, BENCH_PIXELS, ms, copy, checksum, labellingTarget(label)));

    let fusedChecksum = 0;
    const fusedMs = bestTimeMs(() => {
      const stats = labelComponentsWithStats(mask, BENCH_WIDTH, BENCH_HEIGHT, score, classes, 2, labels, scratch);
      fusedChecksum = stats.n + sumOf(stats.pixelCount) + sumOf(stats.classCount);
    });
    results.push(benchRow(`labelComponentsWithStats (${label})`, BENCH_PIXELS, fusedMs, copy, fusedChecksum, labellingTarget(label)));
  }
  return results;
}
