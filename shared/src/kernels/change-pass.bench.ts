/**
 * Benchmark: the whole per-pixel change pass of detector v2 on the 2048² 4-band pair, as
 * scoreWindow runs it — valid mask of both epochs, z-scored change vector, IR-MAD chi score, fused
 * minimum, valid 3×3 mean — against a copy of the same input bytes. The IR-MAD transform is a fixed
 * well-conditioned one here (its fit is not a pixel kernel).
 */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import { BENCH_BANDS, BENCH_HEIGHT, BENCH_NODATA, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { boxMean3x3 } from './box-mean-3x3.js';
import { changeVectorMagnitude } from './change-vector.js';
import { fuseMinScaled } from './fuse-scores.js';
import { madChiScore } from './mad-chi-score.js';
import { andValidMask } from './valid-mask.js';

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const W = BENCH_WIDTH;
  const H = BENCH_HEIGHT;
  const B = BENCH_BANDS;
  const valid = new Uint8Array(BENCH_PIXELS).fill(1);
  andValidMask(before, W, H, B, BENCH_NODATA, valid);
  andValidMask(after, W, H, B, BENCH_NODATA, valid);
  const stats = (planar: Float32Array) => {
    const acc = new Float64Array(3 * B);
    accumulateBandStats(planar, W, H, B, valid, acc);
    return finishBandStats(acc, B);
  };
  const sb = stats(before);
  const sa = stats(after);
  // A = diag(1/std_before), b = diag(1/std_after): MAD variates are then plain z differences per band.
  const madA = new Float64Array(B * B);
  const madB = new Float64Array(B * B);
  for (let j = 0; j < B; j++) {
    madA[j * B + j] = 1 / sb.std[j]!;
    madB[j * B + j] = 1 / sa.std[j]!;
  }
  const inverseVariance = new Float64Array(B).fill(0.5);
  const scratch = new Float64Array(2 * B);
  const cva = new Float32Array(BENCH_PIXELS);
  const mad = new Float32Array(BENCH_PIXELS);
  const fused = new Float32Array(BENCH_PIXELS);
  const score = new Float32Array(BENCH_PIXELS);
  const pairValid = new Uint8Array(BENCH_PIXELS);
  const ms = bestTimeMs(() => {
    pairValid.fill(1);
    andValidMask(before, W, H, B, BENCH_NODATA, pairValid);
    andValidMask(after, W, H, B, BENCH_NODATA, pairValid);
    changeVectorMagnitude(before, after, W, H, B, pairValid, sb.mean, sb.std, sa.mean, sa.std, cva);
    madChiScore(before, after, W, H, B, pairValid, sb.mean, sa.mean, madA, madB, inverseVariance, scratch, mad);
    fuseMinScaled(cva, mad, 1, 1, pairValid, BENCH_PIXELS, fused);
    boxMean3x3(fused, pairValid, W, H, score);
  }, 1, 3);
  return [benchRow('change pass v2: valid + CVA + IR-MAD + fuse + 3×3 mean', BENCH_PIXELS, ms, copyBaseline(BENCH_PIXELS, [before, after]), sumOf(score))];
}
