/**
 * Benchmark: changeVectorMagnitude and ndviDrop on the 2048² 4-band pair, and the valid-mask +
 * change-vector pair as separate kernels (fill, andValidMask × 2, changeVectorMagnitude). Reference steps:
 * detection runs them inside the one-pass change kernel (change-pass.bench.ts), whose row carries issue
 * 3's target.
 */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import type { BandStats } from './band-stats.js';
import {
  BENCH_BANDS,
  BENCH_HEIGHT,
  BENCH_NIR_BAND,
  BENCH_NODATA,
  BENCH_PIXELS,
  BENCH_RED_BAND,
  BENCH_WIDTH,
  benchImagePair,
} from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { changeVectorMagnitude, ndviDrop } from './change-vector.js';
import { referenceChangeVector, referenceNdviDrop } from './reference-kernels.js';
import { andValidMask } from './valid-mask.js';

function stats(planar: Float32Array, valid: Uint8Array): BandStats {
  const acc = new Float64Array(3 * BENCH_BANDS);
  accumulateBandStats(planar, BENCH_WIDTH, BENCH_HEIGHT, BENCH_BANDS, valid, acc);
  return finishBandStats(acc, BENCH_BANDS);
}

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const W = BENCH_WIDTH;
  const H = BENCH_HEIGHT;
  const valid = new Uint8Array(BENCH_PIXELS).fill(1);
  andValidMask(before, W, H, BENCH_BANDS, BENCH_NODATA, valid);
  andValidMask(after, W, H, BENCH_BANDS, BENCH_NODATA, valid);
  const b = stats(before, valid);
  const a = stats(after, valid);
  const out = new Float32Array(BENCH_PIXELS);
  const results: BenchResult[] = [];
  const cvaCopy = copyBaseline(BENCH_PIXELS, [before, after, valid]);

  const cvaMs = bestTimeMs(() => changeVectorMagnitude(before, after, W, H, BENCH_BANDS, valid, b.mean, b.std, a.mean, a.std, out));
  results.push(benchRow('changeVectorMagnitude (4 bands)', BENCH_PIXELS, cvaMs, cvaCopy, sumOf(out)));

  const cvaReferenceMs = bestTimeMs(() => referenceChangeVector(before, after, W, H, BENCH_BANDS, valid, b.mean, b.std, a.mean, a.std, out), 1, 3);
  results.push(benchRow('  naive reference', BENCH_PIXELS, cvaReferenceMs, cvaCopy, sumOf(out)));

  const pairValid = new Uint8Array(BENCH_PIXELS);
  const pairMs = bestTimeMs(() => {
    pairValid.fill(1);
    andValidMask(before, W, H, BENCH_BANDS, BENCH_NODATA, pairValid);
    andValidMask(after, W, H, BENCH_BANDS, BENCH_NODATA, pairValid);
    changeVectorMagnitude(before, after, W, H, BENCH_BANDS, pairValid, b.mean, b.std, a.mean, a.std, out);
  });
  const pairCopy = copyBaseline(BENCH_PIXELS, [before, after]);
  results.push(benchRow('valid mask + change vector (pair)', BENCH_PIXELS, pairMs, pairCopy, sumOf(out)));

  const plane = (planar: Float32Array, band: number): Float32Array => planar.subarray(band * BENCH_PIXELS, (band + 1) * BENCH_PIXELS);
  const ndviCopy = copyBaseline(BENCH_PIXELS, [
    plane(before, BENCH_RED_BAND),
    plane(before, BENCH_NIR_BAND),
    plane(after, BENCH_RED_BAND),
    plane(after, BENCH_NIR_BAND),
    valid,
  ]);
  const ndviMs = bestTimeMs(() => ndviDrop(before, after, W, H, BENCH_BANDS, BENCH_RED_BAND, BENCH_NIR_BAND, valid, out));
  results.push(benchRow('ndviDrop', BENCH_PIXELS, ndviMs, ndviCopy, sumOf(out)));

  const ndviReferenceMs = bestTimeMs(() => referenceNdviDrop(before, after, W, H, BENCH_RED_BAND, BENCH_NIR_BAND, valid, out), 1, 3);
  results.push(benchRow('  naive reference', BENCH_PIXELS, ndviReferenceMs, ndviCopy, sumOf(out)));
  return results;
}
