/**
 * Benchmark: the registration check's kernels on the 2048² 4-band pair — the gradient magnitude of each
 * epoch's band mean (bandMeanGradient), then bestShift on 32 regions of 128² at radius 3 (49 shifts each,
 * what a pair's check runs; Mpx/s counts region pixels × shifts) — against a copy of the input bytes.
 */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { bandMeanGradient, bestShift, SHIFT_INTEGER } from './registration-shift.js';

const RADIUS = 3;
const REGION = 128;
const REGIONS = 32;

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const valid = new Uint8Array(BENCH_PIXELS).fill(1);
  const mean = new Float32Array(BENCH_PIXELS);
  const gb = new Float32Array(BENCH_PIXELS);
  const ga = new Float32Array(BENCH_PIXELS);
  const gradientMs = bestTimeMs(() => {
    bandMeanGradient(before, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid, mean, gb);
    bandMeanGradient(after, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid, mean, ga);
  });
  const scores = new Float64Array((2 * RADIUS + 1) ** 2);
  const out = new Float64Array(SHIFT_INTEGER + 1);
  const shifts = new Float64Array(2 * REGIONS);
  const across = Math.floor((BENCH_WIDTH - 2 * (RADIUS + 1)) / REGION);
  const shiftMs = bestTimeMs(() => {
    for (let r = 0; r < REGIONS; r++) {
      const x0 = RADIUS + 1 + (r % across) * REGION;
      const y0 = RADIUS + 1 + Math.floor(r / across) * REGION;
      bestShift(gb, ga, BENCH_WIDTH, BENCH_HEIGHT, x0, y0, REGION, REGION, RADIUS, scores, out);
      shifts[2 * r] = out[0]!;
      shifts[2 * r + 1] = out[1]!;
    }
  });
  const comparisons = REGIONS * REGION * REGION * scores.length;
  return [
    benchRow('bandMeanGradient (2 epochs × 4 bands)', 2 * BENCH_PIXELS, gradientMs, copyBaseline(BENCH_PIXELS, [before, after]), finiteSum(gb) + finiteSum(ga)),
    benchRow('bestShift: 32 regions of 128², 49 shifts (px × shifts)', comparisons, shiftMs, copyBaseline(BENCH_PIXELS, [gb, ga]), finiteSum(shifts)),
  ];
}

/** Sum of the finite values (the gradient planes hold NaN where there is no gradient). */
function finiteSum(values: Float32Array | Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) sum += values[i]!;
  return sum;
}
