/** Benchmark: the seasonal test (NDVI, ExG) over both epochs of the 2048² scene, every pixel set (its
 *  worst case: detection only tests the pixels its decision set). */

import { BENCH_PIXELS, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { clearVegetatedInBoth, type VegetationTest } from './vegetation-mask.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const mask = new Uint8Array(BENCH_PIXELS);
  const copy = copyBaseline(BENCH_PIXELS, [before.subarray(0, 2 * BENCH_PIXELS), after.subarray(0, 2 * BENCH_PIXELS)]);
  const row = (name: string, test: VegetationTest) => {
    const ms = bestTimeMs(() => {
      mask.fill(1);
      clearVegetatedInBoth(before, after, BENCH_PIXELS, test, mask);
    });
    return benchRow(name, BENCH_PIXELS, ms, copy, sumOf(mask));
  };
  return [
    row('clearVegetatedInBoth (NDVI, every pixel set)', { index: 'ndvi', nir: 3, red: 2, floor: 0.3 }),
    row('clearVegetatedInBoth (ExG, every pixel set)', { index: 'exg', red: 2, green: 1, blue: 0, floor: 0.05 }),
  ];
}
