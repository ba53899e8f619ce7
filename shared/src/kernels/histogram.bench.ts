/**
 * Benchmark: accumulateHistogram + otsuThreshold (256 bins over [0, 8) z units) on the change
 * vector magnitude of the 2048² pair — the thresholding step as the pipeline runs it — and rosinThreshold,
 * the rule a pair whose Otsu split lies in the bulk of its scores takes instead (detection/pair-threshold.ts).
 */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import { BENCH_BANDS, BENCH_HEIGHT, BENCH_NODATA, BENCH_PIXELS, BENCH_WIDTH, benchImagePair } from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { changeVectorMagnitude } from './change-vector.js';
import { accumulateHistogram } from './histogram.js';
import { otsuThreshold } from './otsu.js';
import { referenceHistogram, referenceOtsu, referenceRosin } from './reference-kernels.js';
import { rosinThreshold } from './unimodal-threshold.js';
import { andValidMask } from './valid-mask.js';

const BINS = 256;
const MIN = 0;
const MAX = 8;

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const W = BENCH_WIDTH;
  const H = BENCH_HEIGHT;
  const valid = new Uint8Array(BENCH_PIXELS).fill(1);
  andValidMask(before, W, H, BENCH_BANDS, BENCH_NODATA, valid);
  andValidMask(after, W, H, BENCH_BANDS, BENCH_NODATA, valid);
  const beforeAcc = new Float64Array(3 * BENCH_BANDS);
  const afterAcc = new Float64Array(3 * BENCH_BANDS);
  accumulateBandStats(before, W, H, BENCH_BANDS, valid, beforeAcc);
  accumulateBandStats(after, W, H, BENCH_BANDS, valid, afterAcc);
  const b = finishBandStats(beforeAcc, BENCH_BANDS);
  const a = finishBandStats(afterAcc, BENCH_BANDS);
  const score = new Float32Array(BENCH_PIXELS);
  changeVectorMagnitude(before, after, W, H, BENCH_BANDS, valid, b.mean, b.std, a.mean, a.std, score);

  const hist = new Float64Array(BINS);
  type Rule = (h: Float64Array, min: number, max: number) => number;
  type Reference = (h: ArrayLike<number>, min: number, max: number) => number;
  /** Best times and thresholds of a rule on the histogram accumulated afresh, and of its naive reference. */
  const timeRule = (rule: Rule, reference: Reference) => {
    let threshold = 0;
    const ms = bestTimeMs(() => {
      hist.fill(0);
      accumulateHistogram(score, valid, BENCH_PIXELS, MIN, MAX, hist);
      threshold = rule(hist, MIN, MAX);
    });
    let referenceThreshold = 0;
    const referenceMs = bestTimeMs(() => {
      referenceThreshold = reference(referenceHistogram(score, valid, BENCH_PIXELS, MIN, MAX, BINS), MIN, MAX);
    }, 1, 3);
    return { ms, threshold, referenceMs, referenceThreshold };
  };
  const otsu = timeRule(otsuThreshold, referenceOtsu);
  const rosin = timeRule(rosinThreshold, referenceRosin);

  const copy = copyBaseline(BENCH_PIXELS, [score, valid]);
  return [
    benchRow('accumulateHistogram + otsuThreshold (256 bins)', BENCH_PIXELS, otsu.ms, copy, otsu.threshold),
    benchRow('  naive reference', BENCH_PIXELS, otsu.referenceMs, copy, otsu.referenceThreshold),
    benchRow('accumulateHistogram + rosinThreshold (256 bins)', BENCH_PIXELS, rosin.ms, copy, rosin.threshold),
    benchRow('  naive reference', BENCH_PIXELS, rosin.referenceMs, copy, rosin.referenceThreshold),
  ];
}
