/**
 * Benchmark: simplifyOutline (1 px, 1 %, the detector's settings) over the traced outlines of every
 * component of the 2048² sparse blob mask, against a copy of the label raster. Throughput is image
 * pixels per second, like every kernel row. Checksum: simplified vertex count (the traced count is in
 * the row name).
 */

import { BENCH_PIXELS } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { outlineVertexCount, simplifyOutline } from './simplify-outline.js';
import { benchOutlines } from './trace-outline.bench.js';

export function bench(): BenchResult[] {
  const { n, labels, outlines } = benchOutlines();
  let vertices = 0;
  for (let l = 1; l <= n; l++) vertices += outlineVertexCount(outlines[l]!);
  let simplified = 0;
  const ms = bestTimeMs(() => {
    simplified = 0;
    for (let l = 1; l <= n; l++) simplified += outlineVertexCount(simplifyOutline(outlines[l]!));
  }, 1, 3);
  const copy = copyBaseline(BENCH_PIXELS, [labels]);
  return [benchRow(`simplifyOutline (all ${n} components, ${vertices} vertices)`, BENCH_PIXELS, ms, copy, simplified)];
}
