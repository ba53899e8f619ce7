/**
 * Benchmark: the per-pixel pass of the edge-cue candidate (docs/detection.md, "Candidate edge-cue
 * detector", not enabled) on the 2048² 4-band pair — changeCues (validity, change vector, chi score),
 * gradientChange, the geometric fusion and the near/wide box means (radius 1 and 20, the wide support of
 * 0.5 m imagery) — against the detector's one-pass changeScores in the same run (the ratio is what the
 * extra evidence costs), and each extra kernel alone. The pass's parameters are the change-pass
 * benchmark's (change-pass.bench.ts: the pair's band statistics and a fixed whitening map).
 */

import { BENCH_BANDS, BENCH_HEIGHT, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { boxMeanMin } from './box-mean.js';
import { fuseGeometricMean3 } from './fuse-geometric.js';
import { changePassBenchParams } from './change-pass.bench.js';
import { changeCues, changeScores } from './fuse-scores.js';
import { gradientChange } from './gradient-change.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const W = BENCH_WIDTH;
  const H = BENCH_HEIGHT;
  const B = BENCH_BANDS;
  const n = BENCH_PIXELS;
  const { params } = changePassBenchParams();
  const { beforeStd, afterStd } = params;
  const pairValid = new Uint8Array(n);
  const cva = new Float32Array(n);
  const mad = new Float32Array(n);
  const gradient = new Float32Array(n);
  const fused = new Float32Array(n);
  const score = new Float32Array(n);
  const copy = copyBaseline(n, [before, after]);
  const results: BenchResult[] = [];

  const v2Ms = bestTimeMs(() => changeScores(before, after, W, H, params, pairValid, score), 1, 3);
  results.push(benchRow('detector pass: changeScores (4 bands)', n, v2Ms, copy, sumOf(score)));
  const pass = (wide: number) => () => {
    changeCues(before, after, W, H, params, pairValid, cva, mad);
    gradientChange(before, after, W, H, B, pairValid, beforeStd, afterStd, gradient);
    fuseGeometricMean3(cva, mad, gradient, 1, 1, 1, pairValid, n, fused);
    boxMeanMin(fused, pairValid, W, H, 1, wide, score);
  };
  const v3Ms = bestTimeMs(pass(1), 1, 3);
  results.push(benchRow('edge-cue candidate pass, wide radius 1 (≥ 10 m)', n, v3Ms, copy, sumOf(score)));
  const v3FineMs = bestTimeMs(pass(20), 1, 3);
  results.push(benchRow('edge-cue candidate pass, wide radius 20 (0.5 m)', n, v3FineMs, copy, sumOf(score)));
  const cuesMs = bestTimeMs(() => changeCues(before, after, W, H, params, pairValid, cva, mad), 1, 3);
  results.push(benchRow('  changeCues', n, cuesMs, copy, sumOf(mad)));
  const gradientMs = bestTimeMs(() => gradientChange(before, after, W, H, B, pairValid, beforeStd, afterStd, gradient), 1, 3);
  results.push(benchRow('  gradientChange', n, gradientMs, copy, sumOf(gradient)));
  const fuseMs = bestTimeMs(() => fuseGeometricMean3(cva, mad, gradient, 1, 1, 1, pairValid, n, fused), 1, 3);
  results.push(benchRow('  fuseGeometricMean3', n, fuseMs, copyBaseline(n, [cva, mad, gradient, pairValid]), sumOf(fused)));
  const boxMs = bestTimeMs(() => boxMeanMin(fused, pairValid, W, H, 1, 20, score), 1, 3);
  results.push(benchRow('  boxMeanMin (radii 1, 20)', n, boxMs, copyBaseline(n, [fused, pairValid]), sumOf(score)));
  return results;
}
