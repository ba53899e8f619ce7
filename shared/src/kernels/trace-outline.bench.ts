/** Benchmark: traceOutline over every component of the 2048² sparse blob mask (~5 % + speckle). */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { componentStats } from './component-stats.js';
import { labelComponents, labelScratchLength } from './label-components.js';
import { ringArea, traceOutline } from './trace-outline.js';

export function bench(): BenchResult[] {
  const { sparse } = benchMasks();
  const labels = new Int32Array(BENCH_PIXELS);
  const n = labelComponents(sparse, BENCH_WIDTH, BENCH_HEIGHT, labels, new Int32Array(labelScratchLength(BENCH_WIDTH, BENCH_HEIGHT)));
  const stats = componentStats(labels, n, BENCH_WIDTH, BENCH_HEIGHT, new Float32Array(BENCH_PIXELS), new Uint8Array(BENCH_PIXELS), 1);
  const outlines: number[][][] = new Array(n + 1);
  const ms = bestTimeMs(() => {
    for (let l = 1; l <= n; l++) {
      outlines[l] = traceOutline(labels, BENCH_WIDTH, BENCH_HEIGHT, l, stats.minX[l], stats.minY[l], stats.maxX[l], stats.maxY[l]);
    }
  }, 1, 3);
  // checksum: total ring area (must equal the number of foreground pixels)
  let area = 0;
  for (let l = 1; l <= n; l++) for (const ring of outlines[l]) area += ringArea(ring);
  const copy = copyBaseline(BENCH_PIXELS, [labels]);
  return [
    benchRow(`traceOutline (all ${n} components, sparse)`, BENCH_PIXELS, ms, copy, area),
  ];
}
