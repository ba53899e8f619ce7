/**
 * Benchmark: the whole per-pixel change pass on the 2048² 4-band pair, as scoreWindow runs it — valid
 * mask of both epochs, z-scored change vector, ISFA chi score (the change vector whitened), fused
 * minimum, valid 3×3 mean — against a copy of the same input bytes. The whitening map is a fixed
 * well-conditioned one here (its fit is not a pixel kernel), with every entry of its lower triangle
 * non-zero, as a fitted one has. Rows: the one-pass kernel changeScores
 * on the Uint16 pair (what a sensor delivers; the target row, ≥ 120 Mpx/s in issue 3) and on the
 * Float32 pair, as production runs it (WebAssembly SIMD, change-pass-simd.ts), each followed by the
 * same pass on the scalar JavaScript path (setChangePassSimd(false)), and the same pass with the
 * separate kernels (the reference all are bit-identical to; the checksums must agree). The SIMD rows take
 * their pair as detection's halo windows come (HaloWindowCache) and write their outputs where detection's
 * scoreWindow has them: arrays of the thread's WebAssembly arena, which the pass reads and writes in place.
 */

import { accumulateBandStats, finishBandStats } from './band-stats.js';
import {
  BENCH_BANDS,
  BENCH_HEIGHT,
  BENCH_NODATA,
  BENCH_NODATA_UINT16,
  BENCH_PIXELS,
  BENCH_WIDTH,
  benchImagePair,
  benchImagePairUint16,
} from './bench-inputs.js';
import { benchRow, bestTimeMs, copyBaseline, sumOf } from './bench-harness.js';
import type { BenchResult } from './bench-types.js';
import { boxMean3x3 } from './box-mean-3x3.js';
import { changeVectorMagnitude } from './change-vector.js';
import { changeScores, fuseMinScaled, setChangePassSimd } from './fuse-scores.js';
import { andValidMask } from './valid-mask.js';
import { arenaArray, arenaCopy, releaseArenaArray } from './wasm/arena.js';
import { whitenedChiScore } from './whitened-chi-score.js';

/** Issue 3: valid mask + change pass on 4-band uint16 input ≥ 120 Mpx/s (and each of its steps alone). */
export const CHANGE_PASS_TARGET = 120;

/**
 * The pass's parameters on the benchmark pair: each epoch's band statistics over the pixels valid in
 * both, and a fixed whitening map (also used by the in-run references, scripts/bench/references.ts).
 */
export function changePassBenchParams() {
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
  // The whitening of four bands whose changes correlate 0.5 with each other (L⁻¹ of that correlation
  // matrix, rounded): row-major, lower triangular.
  const whiten = Float64Array.from([1, 0, 0, 0, -0.5774, 1.1547, 0, 0, -0.4082, -0.4082, 1.2247, 0, -0.3162, -0.3162, -0.3162, 1.2649]);
  const params = {
    bands: B,
    nodataBefore: BENCH_NODATA,
    nodataAfter: BENCH_NODATA,
    beforeMean: sb.mean,
    beforeStd: sb.std,
    afterMean: sa.mean,
    afterStd: sa.std,
    whiten,
    cvaMedian: 1,
    madMedian: 1,
  };
  return { params, params16: { ...params, nodataBefore: BENCH_NODATA_UINT16, nodataAfter: BENCH_NODATA_UINT16 } };
}

export function bench(): BenchResult[] {
  const { before, after } = benchImagePair();
  const W = BENCH_WIDTH;
  const H = BENCH_HEIGHT;
  const B = BENCH_BANDS;
  const { params, params16 } = changePassBenchParams();
  const { beforeMean, beforeStd, afterMean, afterStd, whiten } = params;
  const scratch = new Float32Array(B);
  const cva = new Float32Array(BENCH_PIXELS);
  const mad = new Float32Array(BENCH_PIXELS);
  const fused = new Float32Array(BENCH_PIXELS);
  const score = new Float32Array(BENCH_PIXELS);
  const pairValid = new Uint8Array(BENCH_PIXELS);
  // outputs as detection's scoreWindow has them (its workspace's arena arrays), inputs as its halo windows (below)
  const onePassValid = arenaArray(Uint8Array, BENCH_PIXELS) ?? new Uint8Array(BENCH_PIXELS);
  const onePassScore = arenaArray(Float32Array, BENCH_PIXELS) ?? new Float32Array(BENCH_PIXELS);
  const pair16 = benchImagePairUint16();
  /** Best time and checksum of changeScores on a pair, on the SIMD path or the scalar one. */
  const onePass = (simd: boolean, b: typeof before | typeof pair16.before, a: typeof b, p: typeof params): [number, number] => {
    setChangePassSimd(simd);
    try {
      const ms = bestTimeMs(() => changeScores(b, a, W, H, p, onePassValid, onePassScore), 1, 3);
      return [ms, sumOf(onePassScore)];
    } finally {
      setChangePassSimd(true);
    }
  };
  // (an ordinary array where the engine has no arena: the pass then copies it in, as it would in detection)
  const inArena = <T extends Uint16Array | Float32Array>(a: T): T => arenaCopy(a) ?? a;
  const windows = [inArena(pair16.before), inArena(pair16.after), inArena(before), inArena(after)] as const;
  const [uint16Ms, uint16Checksum] = onePass(true, windows[0], windows[1], params16);
  const [uint16ScalarMs, uint16ScalarChecksum] = onePass(false, pair16.before, pair16.after, params16);
  const [onePassMs, onePassChecksum] = onePass(true, windows[2], windows[3], params);
  for (const w of [...windows, onePassValid, onePassScore]) releaseArenaArray(w);
  const [scalarMs, scalarChecksum] = onePass(false, before, after, params);
  const ms = bestTimeMs(() => {
    pairValid.fill(1);
    andValidMask(before, W, H, B, BENCH_NODATA, pairValid);
    andValidMask(after, W, H, B, BENCH_NODATA, pairValid);
    changeVectorMagnitude(before, after, W, H, B, pairValid, beforeMean, beforeStd, afterMean, afterStd, cva);
    whitenedChiScore(before, after, W, H, B, pairValid, beforeMean, beforeStd, afterMean, afterStd, whiten, scratch, mad);
    fuseMinScaled(cva, mad, 1, 1, pairValid, BENCH_PIXELS, fused);
    boxMean3x3(fused, pairValid, W, H, score);
  }, 1, 3);
  const copy = copyBaseline(BENCH_PIXELS, [before, after]);
  const copy16 = copyBaseline(BENCH_PIXELS, [pair16.before, pair16.after]);
  return [
    benchRow('change pass, uint16 input: valid + CVA + chi score + fuse + 3×3 mean', BENCH_PIXELS, uint16Ms, copy16, uint16Checksum, CHANGE_PASS_TARGET),
    benchRow('  same pass on the scalar JS path', BENCH_PIXELS, uint16ScalarMs, copy16, uint16ScalarChecksum),
    benchRow('change pass, float32 input (one pass)', BENCH_PIXELS, onePassMs, copy, onePassChecksum, CHANGE_PASS_TARGET),
    benchRow('  same pass on the scalar JS path', BENCH_PIXELS, scalarMs, copy, scalarChecksum),
    benchRow('  separate kernels (reference)', BENCH_PIXELS, ms, copy, sumOf(score)),
  ];
}
