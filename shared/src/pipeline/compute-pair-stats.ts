import { accumulateBandStats, finishBandStats } from '../kernels/band-stats.js';
import { andValidMask } from '../kernels/valid-mask.js';
import { accumulateHistogram, histogramQuantile } from '../kernels/histogram.js';
import { otsuThreshold } from '../kernels/otsu.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { TRANSFORM_MAX_SAMPLES, SCORE_HISTOGRAM } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';
import { computeCues, cropToInterior, scoreModel, Workspace, type Cues } from '../detection/classify-change.js';
import { fuseMinScaled } from '../kernels/fuse-scores.js';
import { boxMean3x3 } from '../kernels/box-mean-3x3.js';
import { isfa } from '../detection/isfa.js';
import { pickBands } from '../detection/evidence-bands.js';
import { nativeBands } from '../detection/native-bands.js';
import { accumulateReplicationContrast, REPLICATION_COUNTS_PER_BAND } from '../kernels/replication-contrast.js';
import { sampleBlocks, STATS_BLOCK } from './sample-blocks.js';
import type { TileSamples } from './halo-window-cache.js';
import { structuralScore, type StructureSpec } from '../detection/structural-change.js';

/** One epoch as the statistics passes see it: band count, nodata, and reads by lattice window. */
export interface PairSide {
  bands: number;
  nodata: number | null;
  /**
   * Every band of the window, planar: float32 with unusable pixels NaN, or, when nothing in the window is
   * unusable, possibly the file's own 8/16-bit samples (the same values). `reuse`: an array of the
   * window's size the caller no longer needs (the read may fill it).
   */
  readWindow(window: LatticeWindow, reuse?: TileSamples): Promise<TileSamples>;
}

/** Takes each sampled block's samples once the statistics are done with them (see computePairStats). */
export type AdoptBlock = (window: LatticeWindow, before: TileSamples, after: TileSamples) => void;

/** Options of the statistics: `adopt` (see computeSampleStats); `structure`: score the pair by structure
 *  at these scales (structureOf; null or absent: the spectral score). */
export interface PairStatsOptions {
  adopt?: AdoptBlock;
  structure?: StructureSpec | null;
}

/** The pair statistics that come before the threshold (what scoring a window needs). */
export type SampleStats = Omit<PairStats, 'threshold' | 'validPixels'>;

/** Rows at the top of each sampled block the replicated-band test looks at. */
const CONTRAST_ROWS = 128;

/** Decoded sample blocks (float32, every band of both epochs) kept between the sweeps up to this. */
const SAMPLE_CACHE_BYTES = 160 * 1024 * 1024;

/**
 * Statistics of a before/after pair over their overlap that scoring needs, from the blocks sampleBlocks
 * picks (all blocks of a pair of up to 16 blocks), in three sweeps over those blocks:
 * 1. every band read: which candidate evidence bands (`candidates`, see evidence-bands.ts) are native and
 *    which pixel-replicated (nativeBands);
 * 2. on the native evidence bands: per-band mean/std of each epoch over pixels valid in both (the
 *    z-scoring of the change vector), and a regular grid sample of valid pixel pairs (at most
 *    TRANSFORM_MAX_SAMPLES, the grid anchored at the overlap's corner), on which ISFA is fitted (isfa.ts:
 *    the transformation under which unchanged pixels are white);
 * 3. both cues of every pixel of the blocks, their medians (the scale that makes them comparable), and
 *    the cues kept for the threshold (sampledScoreHistogram).
 * The blocks decoded in sweep 1 are reused when they fit in SAMPLE_CACHE_BYTES, else decoded again;
 * either way at most about 16 blocks are decoded, whatever the scene size. `adopt`, when given, takes each
 * block's samples after sweep 3 (detection keeps them instead of decoding those blocks again).
 * With `structure`, sweep 3 also scores each block by structure (on the block alone: its edge pixels as
 * at a scene edge) into `structureHistogram`, from which the threshold then comes.
 */
export async function computeSampleStats(
  beforeSide: PairSide,
  afterSide: PairSide,
  overlap: LatticeWindow,
  candidates: readonly number[],
  options: PairStatsOptions = {},
): Promise<{ stats: SampleStats; blocks: SampledBlock[]; structureHistogram: Float64Array | null }> {
  const { adopt } = options;
  const structure = options.structure ?? null;
  const blocks = sampleBlocks(overlap);
  const sampledPixels = blocks.reduce((s, b) => s + b.width * b.height, 0);
  const keep = sampledPixels * (beforeSide.bands + afterSide.bands) * 4 <= SAMPLE_CACHE_BYTES;
  const kept: Array<[TileSamples, TileSamples] | null> = [];
  const raw = async (k: number): Promise<[TileSamples, TileSamples]> => {
    const held = kept[k];
    if (held) return held;
    const block = blocks[k]!;
    return Promise.all([beforeSide.readWindow(block), afterSide.readWindow(block)]);
  };
  // The sweeps work on float32: a block read in the file's own samples is converted into these, reused
  // block after block (kept blocks stay in their own samples, half the memory for 16-bit files).
  const scratch: [Float32Array, Float32Array] = [new Float32Array(0), new Float32Array(0)];
  const asFloat32 = (samples: TileSamples, side: 0 | 1): Float32Array => {
    if (samples instanceof Float32Array) return samples;
    if (scratch[side].length !== samples.length) scratch[side] = new Float32Array(samples.length);
    scratch[side].set(samples);
    return scratch[side];
  };
  const floats = ([b, a]: [TileSamples, TileSamples]): [Float32Array, Float32Array] => [asFloat32(b, 0), asFloat32(a, 1)];
  const read = async (k: number) => floats(await raw(k));

  // 1. native bands
  const contrast = new Float64Array(beforeSide.bands * REPLICATION_COUNTS_PER_BAND);
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k]!;
    const samples = await raw(k);
    kept.push(keep ? samples : null);
    const [b, a] = floats(samples);
    // the top CONTRAST_ROWS rows of each block: thousands of runs, plenty for 0.85 against 0.1
    const rows = Math.min(block.height, CONTRAST_ROWS);
    const n = block.width * block.height;
    for (const [planar, side] of [[b, beforeSide], [a, afterSide]] as const) {
      for (let band = 0; band < side.bands; band++) {
        const counts = contrast.subarray(band * REPLICATION_COUNTS_PER_BAND, (band + 1) * REPLICATION_COUNTS_PER_BAND);
        accumulateReplicationContrast(planar.subarray(band * n, band * n + rows * block.width), block.width, rows, 1, side.nodata, counts);
      }
    }
  }
  const evidence = nativeBands(candidates, contrast);
  const bands = evidence.length;

  // 2. band statistics and the ISFA sample
  const accBefore = new Float64Array(3 * bands);
  const accAfter = new Float64Array(3 * bands);
  const stride = Math.max(1, Math.ceil(Math.sqrt(sampledPixels / TRANSFORM_MAX_SAMPLES)));
  const capacity = blocks.reduce((s, b) => s + Math.ceil(b.width / stride) * Math.ceil(b.height / stride), 0);
  const sampleBefore = new Float64Array(capacity * bands);
  const sampleAfter = new Float64Array(capacity * bands);
  let samples = 0;
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k]!;
    const n = block.width * block.height;
    const [all0, all1] = await read(k);
    // evidence is a sorted subset of the bands: all of them when as many
    const b = evidence.length === beforeSide.bands ? all0 : pickBands(all0, n, evidence);
    const a = evidence.length === afterSide.bands ? all1 : pickBands(all1, n, evidence);
    const valid = new Uint8Array(n).fill(1);
    andValidMask(b, block.width, block.height, bands, beforeSide.nodata, valid);
    andValidMask(a, block.width, block.height, bands, afterSide.nodata, valid);
    accumulateBandStats(b, block.width, block.height, bands, valid, accBefore);
    accumulateBandStats(a, block.width, block.height, bands, valid, accAfter);
    // The sample grid is anchored at the overlap's corner, so it does not depend on block size.
    const firstRow = (stride - ((block.row - overlap.row) % stride)) % stride;
    const firstCol = (stride - ((block.col - overlap.col) % stride)) % stride;
    samples = gatherSamples(b, a, valid, block.width, block.height, bands, firstRow, firstCol, stride, sampleBefore, sampleAfter, samples);
  }
  const sb = finishBandStats(accBefore, bands);
  const sa = finishBandStats(accAfter, bands);
  const fit = samples > 0 ? isfa(sampleBefore, sampleAfter, bands, samples, { meanBefore: sb.mean, stdBefore: sb.std, meanAfter: sa.mean, stdAfter: sa.std }) : null;
  const transform: SampleStats['transform'] = fit
    ? { method: 'isfa', meanBefore: fit.meanBefore, meanAfter: fit.meanAfter, a: fit.a, b: fit.b, variance: fit.variance, iterations: fit.iterations, converged: fit.converged, samples: fit.samples }
    : { method: 'isfa', meanBefore: new Array<number>(bands).fill(0), meanAfter: new Array<number>(bands).fill(0), a: new Array<number>(bands * bands).fill(0), b: new Array<number>(bands * bands).fill(0), variance: new Array<number>(bands).fill(1), iterations: 0, converged: false, samples: 0 };
  const base = {
    bands,
    evidenceBands: [...evidence],
    structure,
    beforeMean: Array.from(sb.mean),
    beforeStd: Array.from(sb.std),
    afterMean: Array.from(sa.mean),
    afterStd: Array.from(sa.std),
    transform,
  };

  // 3. cues, their medians, and the cues kept for the threshold
  const { min, max, bins } = SCORE_HISTOGRAM;
  const cueModel = scoreModel(base, beforeSide.nodata, afterSide.nodata, beforeSide.bands);
  const cvaHist = new Float64Array(bins);
  const madHist = new Float64Array(bins);
  const sampled: SampledBlock[] = [];
  const structureHistogram = structure ? new Float64Array(bins) : null;
  const work = new Workspace();
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k]!;
    const samples = await raw(k);
    kept[k] = null; // let each block go once used
    const [all0, all1] = floats(samples);
    const cues = computeCues(all0, all1, block.width, block.height, cueModel);
    if (structureHistogram) {
      const n = block.width * block.height;
      const b = evidence.length === beforeSide.bands ? all0 : pickBands(all0, n, evidence);
      const a = evidence.length === afterSide.bands ? all1 : pickBands(all1, n, evidence);
      const score = work.floats('structureScore', n);
      structuralScore(b, a, block.width, block.height, { ...cueModel, structure: structure! }, cues.valid, score, work, block);
      accumulateHistogram(score, cues.valid, n, min, max, structureHistogram);
    }
    adopt?.(block, samples[0], samples[1]);
    accumulateHistogram(cues.cva, cues.valid, cues.valid.length, min, max, cvaHist);
    accumulateHistogram(cues.mad, cues.valid, cues.valid.length, min, max, madHist);
    sampled.push({ window: block, cues });
  }
  const cvaMedian = histogramQuantile(cvaHist, min, max, 0.5);
  const madMedian = histogramQuantile(madHist, min, max, 0.5);
  return { stats: { ...base, cvaMedian, madMedian }, blocks: sampled, structureHistogram };
}

/**
 * Appends the valid pixels of a block on the sample grid (every `stride`-th row and column from firstRow,
 * firstCol) to the pixel-interleaved samples, from index `count`; returns the new count. A function of
 * its own: V8 optimises it, while a loop in the async caller (run once) stays unoptimised.
 */
function gatherSamples(b: Float32Array, a: Float32Array, valid: Uint8Array, width: number, height: number, bands: number, firstRow: number, firstCol: number, stride: number, sampleBefore: Float64Array, sampleAfter: Float64Array, count: number): number {
  const n = width * height;
  let samples = count;
  for (let y = firstRow; y < height; y += stride) {
    for (let x = firstCol; x < width; x += stride) {
      const i = y * width + x;
      if (valid[i] !== 1) continue;
      for (let j = 0; j < bands; j++) {
        sampleBefore[samples * bands + j] = b[j * n + i]!;
        sampleAfter[samples * bands + j] = a[j * n + i]!;
      }
      samples++;
    }
  }
  return samples;
}

/** A sampled block and its per-pixel cues (validity, change vector, ISFA), kept for the threshold. */
export interface SampledBlock {
  window: LatticeWindow;
  cues: Cues;
}

/**
 * Histogram (SCORE_HISTOGRAM bins) of the fused score — min of the median-scaled cues, averaged over
 * the valid 3×3 neighbourhood — of every valid pixel of the sampled blocks, from their kept cues: no
 * imagery is read. Each block is fused on its window grown by one pixel (clipped to the overlap), the
 * ring filled from the neighbouring blocks when they were sampled too and invalid otherwise. So when
 * every block is sampled (pairs of up to STATS_SAMPLE_BLOCKS blocks) each pixel's score is exactly the
 * one detection computes; a sampled block whose neighbours were not sampled scores its outermost pixels
 * as at a scene edge.
 */
export function sampledScoreHistogram(blocks: readonly SampledBlock[], overlap: LatticeWindow, cvaMedian: number, madMedian: number): Float64Array {
  const { min, max, bins } = SCORE_HISTOGRAM;
  const hist = new Float64Array(bins);
  // each block's fused cue, once (a block is its neighbours' ring too)
  const at = new Map(
    blocks.map((b) => {
      const n = b.window.width * b.window.height;
      const fused = new Float32Array(n);
      fuseMinScaled(b.cues.cva, b.cues.mad, cvaMedian, madMedian, b.cues.valid, n, fused);
      return [`${b.window.col},${b.window.row}`, { window: b.window, valid: b.cues.valid, fused }] as const;
    }),
  );
  // one set of buffers for every block (they are a few megabytes each; blocks differ only at the edges)
  const work = new Workspace();
  for (const { window } of blocks) {
    const col = Math.max(window.col - 1, overlap.col);
    const row = Math.max(window.row - 1, overlap.row);
    const grown = {
      col,
      row,
      width: Math.min(window.col + window.width + 1, overlap.col + overlap.width) - col,
      height: Math.min(window.row + window.height + 1, overlap.row + overlap.height) - row,
    };
    const n = grown.width * grown.height;
    const fused = work.floats('fused', n);
    const valid = work.bytes('valid', n).fill(0);
    // the block and its 8 neighbours (blocks are STATS_BLOCK squares anchored at the overlap's corner)
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const source = at.get(`${window.col + dx * STATS_BLOCK},${window.row + dy * STATS_BLOCK}`);
        if (source) copyInto(source, grown, fused, valid);
      }
    }
    const score = work.floats('score', n);
    boxMean3x3(fused, valid, grown.width, grown.height, score);
    const inner = window.width * window.height;
    const innerScore = work.floats('innerScore', inner);
    const innerValid = work.bytes('innerValid', inner);
    accumulateHistogram(cropToInterior(score, grown, window, innerScore), cropToInterior(valid, grown, window, innerValid), inner, min, max, hist);
  }
  return hist;
}

/** Writes the fused cue and validity of `source`'s pixels that fall in `target` into `fused` / `valid` (target's layout). */
function copyInto(source: { window: LatticeWindow; valid: Uint8Array; fused: Float32Array }, target: LatticeWindow, fused: Float32Array, valid: Uint8Array): void {
  const w = source.window;
  const block = source.fused;
  const x0 = Math.max(w.col, target.col);
  const x1 = Math.min(w.col + w.width, target.col + target.width);
  const y0 = Math.max(w.row, target.row);
  const y1 = Math.min(w.row + w.height, target.row + target.height);
  for (let y = y0; y < y1; y++) {
    const from = (y - w.row) * w.width + (x0 - w.col);
    const to = (y - target.row) * target.width + (x0 - target.col);
    fused.set(block.subarray(from, from + x1 - x0), to);
    valid.set(source.valid.subarray(from, from + x1 - x0), to);
  }
}

/** Otsu's threshold (Otsu 1979) on the histogram of the fused score: the pair's change threshold. */
export function thresholdOf(hist: Float64Array): number {
  return otsuThreshold(hist, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max);
}

/** Valid pixels counted by a score histogram (every valid pixel lands in a bin). */
export function pixelsIn(hist: Float64Array): number {
  let n = 0;
  for (let i = 0; i < hist.length; i++) n += hist[i]!;
  return n;
}

/**
 * Statistics of a before/after pair over their overlap (computeSampleStats), and the change threshold:
 * Otsu's threshold on the histogram of the fused score over the sampled blocks (sampledScoreHistogram).
 * Why the sample, not every pixel: the threshold is then known before detection reads the pair, so
 * detection reads each file once and classifies as it goes; for pairs of up to 16 blocks the sample is
 * every pixel. validPixels counts the valid pixels the histogram holds. A pair scored by structure
 * (options.structure) takes Otsu's threshold on the histogram of its structural score instead (same bins).
 */
export async function computePairStats(
  beforeSide: PairSide,
  afterSide: PairSide,
  overlap: LatticeWindow,
  candidates: readonly number[],
  options: PairStatsOptions = {},
): Promise<PairStats> {
  const { stats, blocks, structureHistogram } = await computeSampleStats(beforeSide, afterSide, overlap, candidates, options);
  const hist = structureHistogram ?? sampledScoreHistogram(blocks, overlap, stats.cvaMedian, stats.madMedian);
  return { ...stats, threshold: thresholdOf(hist), validPixels: pixelsIn(hist) };
}
