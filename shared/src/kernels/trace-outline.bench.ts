/**
 * Benchmark: traceOutline over every component of the 2048² sparse blob mask (~5 % + speckle),
 * against a copy of the label raster and a naive edge-map tracer (referenceTraceOutlines). Checksum:
 * total ring area, which must equal the number of foreground pixels for both.
 */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { componentStats } from './component-stats.js';
import { labelComponents, labelScratchLength } from './label-components.js';
import { referenceTraceOutlines } from './reference-kernels.js';
import { ringArea, traceOutline } from './trace-outline.js';

/** Labels and bboxes of the sparse mask's components, and their outlines (shared with the simplification bench). */
export function benchOutlines(): { n: number; labels: Int32Array; outlines: number[][][]; ms: number } {
  const { sparse } = benchMasks();
  const labels = new Int32Array(BENCH_PIXELS);
  const n = labelComponents(sparse, BENCH_WIDTH, BENCH_HEIGHT, labels, new Int32Array(labelScratchLength(BENCH_WIDTH, BENCH_HEIGHT)));
  const stats = componentStats(labels, n, BENCH_WIDTH, BENCH_HEIGHT, new Float32Array(BENCH_PIXELS), new Uint8Array(BENCH_PIXELS), 1);
  const outlines: number[][][] = new Array(n + 1).fill([]);
  const ms = bestTimeMs(() => {
    for (let l = 1; l <= n; l++) {
      outlines[l] = traceOutline(labels, BENCH_WIDTH, BENCH_HEIGHT, l, stats.minX[l], stats.minY[l], stats.maxX[l], stats.maxY[l]);
    }
  }, 1, 3);
  return { n, labels, outlines, ms };
}

const totalArea = (outlines: number[][][]): number => {
  let area = 0;
  for (const rings of outlines) for (const ring of rings) area += ringArea(ring);
  return area;
};

export function bench(): BenchResult[] {
  const { n, labels, outlines, ms } = benchOutlines();
  const copy = copyBaseline(BENCH_PIXELS, [labels]);
  let reference: number[][][] = [];
  const referenceMs = bestTimeMs(() => {
    reference = referenceTraceOutlines(labels, BENCH_WIDTH, BENCH_HEIGHT, n);
  }, 0, 1);
  return [
    benchRow(`traceOutline (all ${n} components, sparse)`, BENCH_PIXELS, ms, copy, totalArea(outlines)),
    benchRow('  naive edge-map reference', BENCH_PIXELS, referenceMs, copy, totalArea(reference)),
  ];
}
