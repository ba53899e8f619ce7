/**
 * Benchmark: the whole per-pixel change pass of detector v2 on the 2048² 4-band pair, as
 * scoreWindow runs it — valid mask of both epochs, z-scored change vector, IR-MAD chi score, fused
 * minimum, valid 3×3 mean — against a copy of the same input bytes. The IR-MAD transform is a fixed
 * well-conditioned one here (its fit is not a pixel kernel). First row: the one-pass kernel
 * changeScores (what scoreWindow runs); second row: the same pass with the separate kernels (the
 * reference it is bit-identical to; the checksums must agree).
 */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import { BENCH_BANDS, BENCH_HEIGHT, BENCH_NODATA, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { boxMean3x3 } from './box-mean-3x3.js';
import { changeVectorMagnitude } from './change-vector.js';
import { changeScores, fuseMinScaled } from './fuse-scores.js';
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
  const params = {
    bands: B,
    nodataBefore: BENCH_NODATA,
    nodataAfter: BENCH_NODATA,
    beforeMean: sb.mean,
    beforeStd: sb.std,
    afterMean: sa.mean,
    afterStd: sa.std,
    madMeanBefore: sb.mean,
    madMeanAfter: sa.mean,
    madA,
    madB,
    madInverseVariance: inverseVariance,
    cvaMedian: 1,
    madMedian: 1,
  };
  const onePassValid = new Uint8Array(BENCH_PIXELS);
  const onePassScore = new Float32Array(BENCH_PIXELS);
  const onePassMs = bestTimeMs(() => changeScores(before, after, W, H, params, onePassValid, onePassScore), 1, 3);
  const ms = bestTimeMs(() => {
    pairValid.fill(1);
    andValidMask(before, W, H, B, BENCH_NODATA, pairValid);
    andValidMask(after, W, H, B, BENCH_NODATA, pairValid);
    changeVectorMagnitude(before, after, W, H, B, pairValid, sb.mean, sb.std, sa.mean, sa.std, cva);
    madChiScore(before, after, W, H, B, pairValid, sb.mean, sa.mean, madA, madB, inverseVariance, scratch, mad);
    fuseMinScaled(cva, mad, 1, 1, pairValid, BENCH_PIXELS, fused);
    boxMean3x3(fused, pairValid, W, H, score);
  }, 1, 3);
  const copy = copyBaseline(BENCH_PIXELS, [before, after]);
  return [
    benchRow('change pass v2: valid + CVA + IR-MAD + fuse + 3×3 mean (one pass)', BENCH_PIXELS, onePassMs, copy, sumOf(onePassScore)),
    benchRow('change pass v2, separate kernels (reference)', BENCH_PIXELS, ms, copy, sumOf(score)),
  ];
}
