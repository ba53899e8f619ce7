/** Benchmark: labelComponents on the 2048² sparse blob mask (~5 %) and the 50 % noise mask. */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import { labellingTarget } from './component-stats.bench.js';
import type { BenchResult } from './bench-types.js';
import { labelComponents, labelScratchLength } from './label-components.js';
import { referenceLabelComponents } from './reference-kernels.js';

// labelling alone must at least reach the target of labelling with statistics
export function bench(): BenchResult[] {
  const masks = benchMasks();
  const labels = new Int32Array(BENCH_PIXELS);
  const scratch = new Int32Array(labelScratchLength(BENCH_WIDTH, BENCH_HEIGHT));
  const results: BenchResult[] = [];
  for (const [label, mask] of [
    ['sparse blobs 5 %', masks.sparse],
    ['noise 50 %', masks.noise],
  ] as const) {
    const copy = copyBaseline(BENCH_PIXELS, [mask]);
    let n = 0;
    const ms = bestTimeMs(() => {
      n = labelComponents(mask, BENCH_WIDTH, BENCH_HEIGHT, labels, scratch);
    });
    results.push(benchRow(`labelComponents (${label})`, BENCH_PIXELS, ms, copy, n, labellingTarget(label)));

    let referenceN = 0;
    const referenceMs = bestTimeMs(() => {
      referenceN = referenceLabelComponents(mask, BENCH_WIDTH, BENCH_HEIGHT, labels);
    }, 1, 3);
    results.push(benchRow('  naive flood-fill reference', BENCH_PIXELS, referenceMs, copy, referenceN));
  }
  return results;
}
