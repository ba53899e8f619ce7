/**
 * Benchmark: buildingIndex (four directions, segments of 7 and 61 pixels: 3.5 m and 30 m at 0.5 m) on
 * the 2048² benchmark image's red band, against the copy baseline and a naive index (every segment's
 * minimum and maximum taken sample by sample) on a 256² crop. The same index on the JavaScript passes
 * (setLineOpeningSimd(false)) in the same run shows the SIMD path's gain, and per direction the two
 * openings (7 and 61 px, each with its copies in and out of linear memory) on both paths.
 */

import { BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { buildingIndex } from './building-index.js';
import { openAlongLine, setLineOpeningSimd, type LineDirection } from './line-opening.js';
import { referenceBuildingIndex } from './reference-kernels.js';

const SHORT = 7;
const LONG = 61;
const CROP = 256;

export function bench(): BenchResult[] {
  const { before } = benchImagePair();
  const intensity = before.slice(2 * BENCH_PIXELS, 3 * BENCH_PIXELS).map((v) => (Number.isFinite(v) ? v : 0));
  const out = new Float32Array(BENCH_PIXELS);
  const scratch = new Float32Array(5 * BENCH_PIXELS);
  const copy = copyBaseline(BENCH_PIXELS, [intensity]);
  const ms = bestTimeMs(() => buildingIndex(intensity, BENCH_WIDTH, BENCH_HEIGHT, SHORT, LONG, scratch, out), 1, 3);
  const results = [benchRow(`buildingIndex ${SHORT}/${LONG} px, 4 directions`, BENCH_PIXELS, ms, copy, sumOf(out), null)];
  setLineOpeningSimd(false);
  try {
    const jsMs = bestTimeMs(() => buildingIndex(intensity, BENCH_WIDTH, BENCH_HEIGHT, SHORT, LONG, scratch, out), 1, 3);
    results.push(benchRow(`  JavaScript passes (no SIMD)`, BENCH_PIXELS, jsMs, copy, sumOf(out), null));
  } finally {
    setLineOpeningSimd(true);
  }
  const opened = out.subarray(0, BENCH_PIXELS);
  const lines = scratch.subarray(0, 3 * BENCH_PIXELS);
  for (const simd of [true, false]) {
    setLineOpeningSimd(simd);
    try {
      for (let d = 0; d < 4; d++) {
        const pairMs = bestTimeMs(() => {
          openAlongLine(intensity, BENCH_WIDTH, BENCH_HEIGHT, d as LineDirection, SHORT, lines, opened);
          openAlongLine(intensity, BENCH_WIDTH, BENCH_HEIGHT, d as LineDirection, LONG, lines, opened);
        }, 1, 3);
        results.push(benchRow(`  openAlongLine ${SHORT} + ${LONG} px, direction ${d}, ${simd ? 'SIMD' : 'JavaScript'}`, BENCH_PIXELS, pairMs, copy, sumOf(opened)));
      }
    } finally {
      setLineOpeningSimd(true);
    }
  }

  const crop = new Float32Array(CROP * CROP);
  for (let y = 0; y < CROP; y++) crop.set(intensity.subarray(y * BENCH_WIDTH, y * BENCH_WIDTH + CROP), y * CROP);
  const cropOut = new Float32Array(CROP * CROP);
  const referenceMs = bestTimeMs(() => referenceBuildingIndex(crop, CROP, CROP, SHORT, LONG, cropOut), 0, 1);
  results.push(benchRow(`  naive reference (${CROP}² crop)`, CROP * CROP, referenceMs, copy, sumOf(cropOut)));
  return results;
}
