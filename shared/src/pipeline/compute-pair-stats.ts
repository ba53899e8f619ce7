import { accumulateBandStats, finishBandStats } from '../kernels/band-stats.js';
import { andValidMask } from '../kernels/valid-mask.js';
import { changeVectorMagnitude } from '../kernels/change-vector.js';
import { accumulateHistogram } from '../kernels/histogram.js';
import { otsuThreshold } from '../kernels/otsu.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { SCORE_HISTOGRAM } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';

/** One epoch as the statistics passes see it: band count, nodata, and reads by lattice window. */
export interface PairSide {
  bands: number;
  nodata: number | null;
  readWindow(window: LatticeWindow): Promise<Float32Array>;
}

/** Block edge for the statistics passes: bounds memory whatever the scene size. */
const BLOCK = 512;

function* blocks(area: LatticeWindow): Generator<LatticeWindow> {
  for (let row = area.row; row < area.row + area.height; row += BLOCK) {
    for (let col = area.col; col < area.col + area.width; col += BLOCK) {
      yield {
        col,
        row,
        width: Math.min(BLOCK, area.col + area.width - col),
        height: Math.min(BLOCK, area.row + area.height - row),
      };
    }
  }
}

/**
 * Statistics of a before/after pair over their overlap, so that every tile of the pair is normalised
 * and thresholded alike (a patch must not change class at a tile edge). Pass 1: per-band mean and std
 * of each epoch over pixels valid in both. Pass 2: histogram of the z-scored change vector magnitude,
 * then Otsu's threshold. Reads block by block; never holds the scene.
 */
export async function computePairStats(before: PairSide, after: PairSide, overlap: LatticeWindow): Promise<PairStats> {
  const bands = before.bands;
  const accBefore = new Float64Array(3 * bands);
  const accAfter = new Float64Array(3 * bands);
  const nodataBefore = before.nodata;
  const nodataAfter = after.nodata;
  for (const block of blocks(overlap)) {
    const [b, a] = await Promise.all([before.readWindow(block), after.readWindow(block)]);
    const valid = new Uint8Array(block.width * block.height).fill(1);
    andValidMask(b, block.width, block.height, bands, nodataBefore, valid);
    andValidMask(a, block.width, block.height, bands, nodataAfter, valid);
    accumulateBandStats(b, block.width, block.height, bands, valid, accBefore);
    accumulateBandStats(a, block.width, block.height, bands, valid, accAfter);
  }
  const sb = finishBandStats(accBefore, bands);
  const sa = finishBandStats(accAfter, bands);
  const hist = new Float64Array(SCORE_HISTOGRAM.bins);
  for (const block of blocks(overlap)) {
    const [b, a] = await Promise.all([before.readWindow(block), after.readWindow(block)]);
    const n = block.width * block.height;
    const valid = new Uint8Array(n).fill(1);
    andValidMask(b, block.width, block.height, bands, nodataBefore, valid);
    andValidMask(a, block.width, block.height, bands, nodataAfter, valid);
    const score = new Float32Array(n);
    changeVectorMagnitude(b, a, block.width, block.height, bands, valid, sb.mean, sb.std, sa.mean, sa.std, score);
    accumulateHistogram(score, valid, n, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max, hist);
  }
  return {
    bands,
    beforeMean: Array.from(sb.mean),
    beforeStd: Array.from(sb.std),
    afterMean: Array.from(sa.mean),
    afterStd: Array.from(sa.std),
    threshold: otsuThreshold(hist, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max),
    validPixels: sb.count[0] ?? 0,
  };
}
