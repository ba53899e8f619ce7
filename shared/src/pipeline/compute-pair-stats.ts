import { accumulateBandStats, finishBandStats } from '../kernels/band-stats.js';
import { andValidMask } from '../kernels/valid-mask.js';
import { accumulateHistogram, histogramQuantile } from '../kernels/histogram.js';
import { otsuThreshold } from '../kernels/otsu.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { IRMAD_MAX_SAMPLES, SCORE_HISTOGRAM } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';
import { computeCues, cropToInterior, haloOf, scoreModel, scoreWindow } from '../detection/classify-change.js';
import { irMad } from '../detection/irmad/index.js';
import { pickBands } from '../detection/evidence-bands.js';

/** One epoch as the statistics passes see it: band count, nodata, and reads by lattice window. */
export interface PairSide {
  bands: number;
  nodata: number | null;
  readWindow(window: LatticeWindow): Promise<Float32Array>;
}

/** Reads only the evidence bands of a side. */
function evidenceReader(side: PairSide, indices: readonly number[]): (w: LatticeWindow) => Promise<Float32Array> {
  if (indices.length === side.bands) return (w) => side.readWindow(w);
  return async (w) => pickBands(await side.readWindow(w), w.width * w.height, indices);
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
 * Statistics of a before/after pair over their overlap, read block by block (never the whole scene),
 * on the evidence bands only (see evidence-bands.ts):
 * 1. per-band mean/std of each epoch over pixels valid in both (for the z-scored change vector), and
 *    a regular grid sample of valid pixel pairs (at most IRMAD_MAX_SAMPLES);
 * 2. IR-MAD on the sample (Nielsen 2007): the canonical transformation under which unchanged pixels
 *    agree whatever the gains, offsets and band mixing between the dates;
 * 3. medians of both cues over the overlap, the scale that makes them comparable;
 * 4. Otsu's threshold on the histogram of the fused, 3×3-averaged score.
 */
export async function computePairStats(beforeSide: PairSide, afterSide: PairSide, overlap: LatticeWindow, evidence: readonly number[]): Promise<PairStats> {
  const bands = evidence.length;
  const before = { nodata: beforeSide.nodata, readWindow: evidenceReader(beforeSide, evidence) };
  const after = { nodata: afterSide.nodata, readWindow: evidenceReader(afterSide, evidence) };
  const accBefore = new Float64Array(3 * bands);
  const accAfter = new Float64Array(3 * bands);
  const stride = Math.max(1, Math.ceil(Math.sqrt((overlap.width * overlap.height) / IRMAD_MAX_SAMPLES)));
  const capacity = Math.ceil(overlap.width / stride) * Math.ceil(overlap.height / stride);
  const sampleBefore = new Float64Array(capacity * bands);
  const sampleAfter = new Float64Array(capacity * bands);
  let samples = 0;

  for (const block of blocks(overlap)) {
    const [b, a] = await Promise.all([before.readWindow(block), after.readWindow(block)]);
    const n = block.width * block.height;
    const valid = new Uint8Array(n).fill(1);
    andValidMask(b, block.width, block.height, bands, before.nodata, valid);
    andValidMask(a, block.width, block.height, bands, after.nodata, valid);
    accumulateBandStats(b, block.width, block.height, bands, valid, accBefore);
    accumulateBandStats(a, block.width, block.height, bands, valid, accAfter);
    // The sample grid is anchored at the overlap's corner, so it does not depend on block size.
    const firstRow = (stride - ((block.row - overlap.row) % stride)) % stride;
    const firstCol = (stride - ((block.col - overlap.col) % stride)) % stride;
    for (let y = firstRow; y < block.height; y += stride) {
      for (let x = firstCol; x < block.width; x += stride) {
        const i = y * block.width + x;
        if (valid[i] !== 1) continue;
        for (let j = 0; j < bands; j++) {
          sampleBefore[samples * bands + j] = b[j * n + i]!;
          sampleAfter[samples * bands + j] = a[j * n + i]!;
        }
        samples++;
      }
    }
  }
  const sb = finishBandStats(accBefore, bands);
  const sa = finishBandStats(accAfter, bands);
  const fit = samples > 0 ? irMad(sampleBefore, sampleAfter, bands, samples) : null;
  const irmad = fit
    ? { meanBefore: fit.meanBefore, meanAfter: fit.meanAfter, a: fit.a, b: fit.b, rho: fit.rho, madVariance: fit.madVariance, iterations: fit.iterations, converged: fit.converged, samples: fit.samples }
    : { meanBefore: new Array<number>(bands).fill(0), meanAfter: new Array<number>(bands).fill(0), a: new Array<number>(bands * bands).fill(0), b: new Array<number>(bands * bands).fill(0), rho: new Array<number>(bands).fill(0), madVariance: new Array<number>(bands).fill(1), iterations: 0, converged: false, samples: 0 };
  const base = {
    bands,
    evidenceBands: [...evidence],
    beforeMean: Array.from(sb.mean),
    beforeStd: Array.from(sb.std),
    afterMean: Array.from(sa.mean),
    afterStd: Array.from(sa.std),
    irmad,
  };

  const { min, max, bins } = SCORE_HISTOGRAM;
  const cueModel = scoreModel(base, before.nodata, after.nodata);
  const cvaHist = new Float64Array(bins);
  const madHist = new Float64Array(bins);
  for (const block of blocks(overlap)) {
    const [b, a] = await Promise.all([before.readWindow(block), after.readWindow(block)]);
    const cues = computeCues(b, a, block.width, block.height, cueModel);
    accumulateHistogram(cues.cva, cues.valid, cues.valid.length, min, max, cvaHist);
    accumulateHistogram(cues.mad, cues.valid, cues.valid.length, min, max, madHist);
  }
  const cvaMedian = histogramQuantile(cvaHist, min, max, 0.5);
  const madMedian = histogramQuantile(madHist, min, max, 0.5);

  const model = scoreModel({ ...base, cvaMedian, madMedian }, before.nodata, after.nodata);
  const hist = new Float64Array(bins);
  for (const block of blocks(overlap)) {
    const halo = haloOf(block, overlap);
    const [b, a] = await Promise.all([before.readWindow(halo), after.readWindow(halo)]);
    const scored = scoreWindow(b, a, halo.width, halo.height, model);
    const valid = cropToInterior(scored.valid, halo, block);
    accumulateHistogram(cropToInterior(scored.score, halo, block), valid, valid.length, min, max, hist);
  }
  return {
    ...base,
    cvaMedian,
    madMedian,
    threshold: otsuThreshold(hist, min, max),
    validPixels: sb.count[0] ?? 0,
  };
}
