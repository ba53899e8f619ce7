/**
 * Benchmark: open3x3 and close3x3 on the 2048² sparse blob mask (~5 %) and the 50 % noise mask, on the
 * WebAssembly SIMD kernel (what the filters run) and on the JavaScript kernel.
 */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchMasks } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { close3x3, open3x3, setMorphologySimd } from './morphology.js';
import { referenceMorphology } from './reference-kernels.js';

/** Issue 3: 3×3 opening and closing ≥ 400 Mpx/s (each). */
const MORPHOLOGY_TARGET = 400;

export function bench(): BenchResult[] {
  const masks = benchMasks();
  const scratch = new Uint8Array(BENCH_PIXELS);
  const out = new Uint8Array(BENCH_PIXELS);
  const results: BenchResult[] = [];
  for (const [label, mask] of [
    ['sparse blobs 5 %', masks.sparse],
    ['noise 50 %', masks.noise],
  ] as const) {
    const copy = copyBaseline(BENCH_PIXELS, [mask]);
    for (const [name, kernel, erodeFirst] of [
      ['open3x3', open3x3, true],
      ['close3x3', close3x3, false],
    ] as const) {
      const ms = bestTimeMs(() => kernel(mask, BENCH_WIDTH, BENCH_HEIGHT, scratch, out));
      results.push(benchRow(`${name} (${label})`, BENCH_PIXELS, ms, copy, sumOf(out), MORPHOLOGY_TARGET));

      setMorphologySimd(false);
      try {
        const javascriptMs = bestTimeMs(() => kernel(mask, BENCH_WIDTH, BENCH_HEIGHT, scratch, out));
        results.push(benchRow('  JavaScript kernel (no SIMD)', BENCH_PIXELS, javascriptMs, copy, sumOf(out)));
      } finally {
        setMorphologySimd(true);
      }

      const referenceMs = bestTimeMs(() => {
        referenceMorphology(mask, BENCH_WIDTH, BENCH_HEIGHT, erodeFirst, scratch);
        referenceMorphology(scratch, BENCH_WIDTH, BENCH_HEIGHT, !erodeFirst, out);
      }, 1, 3);
      results.push(benchRow('  naive reference', BENCH_PIXELS, referenceMs, copy, sumOf(out)));
    }
  }
  return results;
}
