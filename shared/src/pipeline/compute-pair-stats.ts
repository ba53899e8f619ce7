import { accumulateBandStats, finishBandStats } from '../kernels/band-stats.js';
import { andValidMask } from '../kernels/valid-mask.js';
import { accumulateHistogram, histogramQuantile } from '../kernels/histogram.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { TRANSFORM_MAX_SAMPLES, SCORE_HISTOGRAM } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';
import { computeCues, cropToInterior, scoreModel, scoreWindow, Workspace, type ScoreModel } from '../detection/classify-change.js';
import { isfa } from '../detection/isfa.js';
import { pairThreshold } from '../detection/pair-threshold.js';
import { evidenceGroups, evidenceWindow } from '../detection/evidence-bands.js';
import { nativeBands } from '../detection/native-bands.js';
import { accumulateReplicationContrast, REPLICATION_COUNTS_PER_BAND } from '../kernels/replication-contrast.js';
import { sampleBlocks, STATS_BLOCK } from './sample-blocks.js';
import type { TileSamples } from './halo-window-cache.js';
import { structuralScore, type StructureSpec } from '../detection/structural-change.js';
import type { RegistrationCheck } from '../detection/registration.js';
import { clearShadows, type PairShadowTest } from '../detection/pair-shadows.js';

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

/** Options of the statistics: `adopt` takes each kept sampled block once the threshold is known (see
 *  computePairStats); `structure`: score the pair by structure
 *  at these scales (structureOf; null or absent: the spectral score). */
export interface PairStatsOptions {
  adopt?: AdoptBlock;
  structure?: StructureSpec | null;
  /** Given, the registration check takes the evidence bands of each sampled block (sweep 2). */
  registration?: RegistrationCheck;
  /** The pair's cloud-shadow test (pair-shadows.ts), run on each sampled block as it is read; null or absent: none. */
  shadow?: PairShadowTest | null;
}

/** The pair statistics that come before the threshold (what scoring a window needs). */
export type SampleStats = Omit<PairStats, 'threshold' | 'validPixels'>;

/** Rows at the top of each sampled block the replicated-band test looks at. */
const CONTRAST_ROWS = 128;

/** Decoded sample blocks (every band of both epochs, counted as float32) kept between the sweeps up to this. */
const SAMPLE_CACHE_BYTES = 160 * 1024 * 1024;

/**
 * Statistics of a before/after pair over their overlap that scoring needs, from the blocks sampleBlocks
 * picks (all blocks of a pair of up to 16 blocks), in three sweeps over those blocks:
 * 1. every band read: which candidate evidence bands (`candidates`, see evidence-bands.ts) are native and
 *    which pixel-replicated (nativeBands);
 * 2. on the native evidence bands: per-band mean/std of each epoch over pixels valid in both (the
 *    z-scoring of the change vector), and a regular grid sample of valid pixel pairs (at most
 *    TRANSFORM_MAX_SAMPLES, the grid anchored at the overlap's corner), on which ISFA is fitted (isfa.ts:
 *    the transformation under which unchanged pixels are white); with `options.registration`, the
 *    registration check's regions;
 * 3. both cues of every pixel of the blocks and their medians (the scale that makes them comparable).
 * The blocks decoded in sweep 1 are reused when they fit in SAMPLE_CACHE_BYTES, else decoded again;
 * either way at most about 16 blocks are decoded, whatever the scene size. The kept samples come back
 * with the blocks (for sampledScoreHistogram, then computePairStats hands them to `adopt`).
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
  const structure = options.structure ?? null;
  const blocks = sampleBlocks(overlap);
  const sampledPixels = blocks.reduce((s, b) => s + b.width * b.height, 0);
  const keep = sampledPixels * (beforeSide.bands + afterSide.bands) * 4 <= SAMPLE_CACHE_BYTES;
  const kept: Array<[TileSamples, TileSamples] | null> = [];
  const raw = async (k: number): Promise<[TileSamples, TileSamples]> => {
    const held = kept[k];
    if (held) return held;
    const block = blocks[k]!;
    const pair = await Promise.all([beforeSide.readWindow(block), afterSide.readWindow(block)]);
    clearShadows(pair[0], pair[1], block.width * block.height, options.shadow ?? null);
    return pair;
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
  const groups = evidenceGroups(evidence.length);
  const bands = groups ? groups.length : evidence.length;
  const planes = (planar: Float32Array, n: number, side: PairSide) => evidenceWindow(planar, n, side.bands, evidence, groups, side.nodata);

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
    const { planes: b, nodata: nodataBefore } = planes(all0, n, beforeSide);
    const { planes: a, nodata: nodataAfter } = planes(all1, n, afterSide);
    const valid = new Uint8Array(n).fill(1);
    andValidMask(b, block.width, block.height, bands, nodataBefore, valid);
    andValidMask(a, block.width, block.height, bands, nodataAfter, valid);
    accumulateBandStats(b, block.width, block.height, bands, valid, accBefore);
    accumulateBandStats(a, block.width, block.height, bands, valid, accAfter);
    options.registration?.add(b, a, block.width, block.height, bands, valid);
    // The sample grid is anchored at the overlap's corner, so it does not depend on block size.
    const firstRow = (stride - ((block.row - overlap.row) % stride)) % stride;
    const firstCol = (stride - ((block.col - overlap.col) % stride)) % stride;
    samples = gatherSamples(b, a, valid, block.width, block.height, bands, firstRow, firstCol, stride, sampleBefore, sampleAfter, samples);
  }
  const sb = finishBandStats(accBefore, bands);
  const sa = finishBandStats(accAfter, bands);
  const fit = samples > 0 ? isfa(sampleBefore, sampleAfter, bands, samples, { meanBefore: sb.mean, stdBefore: sb.std, meanAfter: sa.mean, stdAfter: sa.std }) : null;
  const transform: SampleStats['transform'] = fit
    ? { method: 'isfa', whiten: fit.whiten, iterations: fit.iterations, converged: fit.converged, samples: fit.samples }
    : { method: 'isfa', whiten: new Array<number>(bands * bands).fill(0), iterations: 0, converged: false, samples: 0 };
  const base = {
    bands,
    evidenceBands: [...evidence],
    ...(groups ? { evidenceGroups: groups } : {}),
    structure,
    beforeMean: Array.from(sb.mean),
    beforeStd: Array.from(sb.std),
    afterMean: Array.from(sa.mean),
    afterStd: Array.from(sa.std),
    transform,
  };

  // 3. cues and their medians (with `structure`, the structural score's histogram too)
  const { min, max, bins } = SCORE_HISTOGRAM;
  const cueModel = scoreModel(base, beforeSide.nodata, afterSide.nodata, beforeSide.bands);
  const cvaHist = new Float64Array(bins);
  const madHist = new Float64Array(bins);
  const sampled: SampledBlock[] = [];
  const structureHistogram = structure ? new Float64Array(bins) : null;
  // the cues of one block at a time, in arrays reused block after block
  const work = new Workspace();
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k]!;
    const samples = await raw(k);
    kept[k] = null; // held by `sampled` from here when kept at all
    const cues = computeCues(samples[0], samples[1], block.width, block.height, cueModel, work);
    if (structureHistogram) {
      const [all0, all1] = floats(samples);
      const n = block.width * block.height;
      const b = planes(all0, n, beforeSide).planes;
      const a = planes(all1, n, afterSide).planes;
      const score = work.floats('structureScore', n);
      structuralScore(b, a, block.width, block.height, { ...cueModel, structure: structure! }, cues.valid, score, work, block);
      accumulateHistogram(score, cues.valid, n, min, max, structureHistogram);
    }
    accumulateHistogram(cues.cva, cues.valid, cues.valid.length, min, max, cvaHist);
    accumulateHistogram(cues.mad, cues.valid, cues.valid.length, min, max, madHist);
    sampled.push({ window: block, samples: keep ? samples : null });
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

/** A sampled block and its samples (every band of both epochs), when the statistics kept them. */
export interface SampledBlock {
  window: LatticeWindow;
  samples: [TileSamples, TileSamples] | null;
}

/**
 * Histogram (SCORE_HISTOGRAM bins) of the fused score — min of the median-scaled cues, averaged over
 * the valid 3×3 neighbourhood — of every valid pixel of the sampled blocks, scored by the change pass
 * itself (scoreWindow, `model` with the pair's medians). A block with sampled neighbours is scored on
 * its window grown by one pixel (clipped to the overlap), the ring from those neighbours and excluded
 * where the neighbour was not sampled; a block without is scored alone, its outermost pixels as at a
 * scene edge. So when every block is sampled (pairs of up to STATS_SAMPLE_BLOCKS blocks) each pixel's
 * score is exactly the one detection computes. Blocks the statistics did not keep are read again
 * (`sides`).
 */
export async function sampledScoreHistogram(blocks: readonly SampledBlock[], overlap: LatticeWindow, model: ScoreModel, sides: readonly [PairSide, PairSide]): Promise<Float64Array> {
  const { min, max, bins } = SCORE_HISTOGRAM;
  const hist = new Float64Array(bins);
  const index = new Map(blocks.map((b, k) => [`${b.window.col},${b.window.row}`, k]));
  const samplesOf = (k: number): Promise<[TileSamples, TileSamples]> | [TileSamples, TileSamples] => {
    const { window, samples } = blocks[k]!;
    return samples ?? Promise.all([sides[0].readWindow(window), sides[1].readWindow(window)]);
  };
  // one set of buffers for every block (blocks differ in size only at the overlap's edges)
  const work = new Workspace();
  for (const [k, { window }] of blocks.entries()) {
    // the sampled blocks next to this one (blocks are STATS_BLOCK squares anchored at the overlap's corner)
    const neighbours: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const j = index.get(`${window.col + dx * STATS_BLOCK},${window.row + dy * STATS_BLOCK}`);
        if (j !== undefined && j !== k) neighbours.push(j);
      }
    }
    if (neighbours.length === 0) {
      const [before, after] = await samplesOf(k);
      scoreInto(before, after, window, window, model, null, work, hist, min, max);
      continue;
    }
    const col = Math.max(window.col - 1, overlap.col);
    const row = Math.max(window.row - 1, overlap.row);
    const grown = {
      col,
      row,
      width: Math.min(window.col + window.width + 1, overlap.col + overlap.width) - col,
      height: Math.min(window.row + window.height + 1, overlap.row + overlap.height) - row,
    };
    const n = grown.width * grown.height;
    const bands = sides[0].bands;
    const before = work.floats('grownBefore', n * bands).fill(0);
    const after = work.floats('grownAfter', n * bands).fill(0);
    const excluded = work.bytes('grownExcluded', n).fill(1);
    for (const j of [k, ...neighbours]) {
      const [b, a] = await samplesOf(j);
      copyOverlap(blocks[j]!.window, b, grown, before, bands);
      copyOverlap(blocks[j]!.window, a, grown, after, bands);
      markOverlap(blocks[j]!.window, grown, excluded);
    }
    scoreInto(before, after, grown, window, model, excluded, work, hist, min, max);
  }
  return hist;
}

/** Scores `win` (the samples' window) as detection does and adds the valid pixels of its part `interior` to `hist`. */
function scoreInto(before: TileSamples, after: TileSamples, win: LatticeWindow, interior: LatticeWindow, model: ScoreModel, excluded: Uint8Array | null, work: Workspace, hist: Float64Array, min: number, max: number): void {
  const n = win.width * win.height;
  const { valid, score } = scoreWindow(before, after, win.width, win.height, model, work, undefined, undefined, excluded);
  if (win === interior) {
    accumulateHistogram(score, valid, n, min, max, hist);
    return;
  }
  const inner = interior.width * interior.height;
  accumulateHistogram(cropToInterior(score, win, interior, work.floats('innerScore', inner)), cropToInterior(valid, win, interior, work.bytes('innerValid', inner)), inner, min, max, hist);
}

/** Copies the part of `source` (planar, every band, on window `from`) that lies in `target` into `out` (target's layout). */
function copyOverlap(from: LatticeWindow, source: TileSamples, target: LatticeWindow, out: Float32Array, bands: number): void {
  const x0 = Math.max(from.col, target.col);
  const x1 = Math.min(from.col + from.width, target.col + target.width);
  const y0 = Math.max(from.row, target.row);
  const y1 = Math.min(from.row + from.height, target.row + target.height);
  const sourcePlane = from.width * from.height;
  const targetPlane = target.width * target.height;
  for (let band = 0; band < bands; band++) {
    for (let y = y0; y < y1; y++) {
      const at = band * sourcePlane + (y - from.row) * from.width + (x0 - from.col);
      out.set(source.subarray(at, at + x1 - x0), band * targetPlane + (y - target.row) * target.width + (x0 - target.col));
    }
  }
}

/** Clears `excluded` (target's layout) where `from` covers `target`. */
function markOverlap(from: LatticeWindow, target: LatticeWindow, excluded: Uint8Array): void {
  const x0 = Math.max(from.col, target.col);
  const x1 = Math.min(from.col + from.width, target.col + target.width);
  for (let y = Math.max(from.row, target.row); y < Math.min(from.row + from.height, target.row + target.height); y++) {
    const at = (y - target.row) * target.width;
    excluded.fill(0, at + x0 - target.col, at + x1 - target.col);
  }
}

/** Valid pixels counted by a score histogram (every valid pixel lands in a bin). */
export function pixelsIn(hist: Float64Array): number {
  let n = 0;
  for (let i = 0; i < hist.length; i++) n += hist[i]!;
  return n;
}

/**
 * Statistics of a before/after pair over their overlap (computeSampleStats), and the change threshold:
 * Otsu's threshold on the histogram of the fused score over the sampled blocks (sampledScoreHistogram), or
 * Rosin's where Otsu's split lies in the bulk of the scores (detection/pair-threshold.ts).
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
  // (the model's shadow test marks the blocks read again here as the sweeps' reads were marked)
  const model = scoreModel(stats, beforeSide.nodata, afterSide.nodata, beforeSide.bands, options.shadow ?? null);
  const hist = structureHistogram ?? (await sampledScoreHistogram(blocks, overlap, model, [beforeSide, afterSide]));
  // The sampled blocks go to detection once scored (it does not decode them again).
  if (options.adopt) for (const { window, samples } of blocks) if (samples) options.adopt(window, samples[0], samples[1]);
  const { threshold, otsuSplit } = pairThreshold(hist, structureHistogram === null);
  return { ...stats, threshold, ...(otsuSplit !== undefined ? { otsuSplit } : {}), validPixels: pixelsIn(hist) };
}
