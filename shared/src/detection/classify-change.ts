import { andValidMask } from '../kernels/valid-mask.js';
import { changeVectorMagnitude } from '../kernels/change-vector.js';
import { madChiScore } from '../kernels/mad-chi-score.js';
import { fuseMinScaled } from '../kernels/fuse-scores.js';
import { boxMean3x3 } from '../kernels/box-mean-3x3.js';
import { open3x3 } from '../kernels/morphology.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { PairStats } from './pair-stats.js';
import { pickBands } from './evidence-bands.js';

/** Pair statistics as typed arrays, converted once per pair rather than per window. */
export interface ScoreModel {
  /** Evidence bands: the model's arrays describe these, in this order. */
  evidenceBands: number[];
  /** Bands in the windows passed in (the file's band count). */
  fileBands: number;
  bands: number;
  nodataBefore: number | null;
  nodataAfter: number | null;
  beforeMean: Float64Array;
  beforeStd: Float64Array;
  afterMean: Float64Array;
  afterStd: Float64Array;
  madMeanBefore: Float64Array;
  madMeanAfter: Float64Array;
  madA: Float64Array;
  madB: Float64Array;
  madInverseVariance: Float64Array;
  cvaMedian: number;
  madMedian: number;
}

export function scoreModel(
  stats: Omit<PairStats, 'threshold' | 'cvaMedian' | 'madMedian' | 'validPixels'> & { cvaMedian?: number; madMedian?: number },
  nodataBefore: number | null,
  nodataAfter: number | null,
  fileBands: number = stats.bands,
): ScoreModel {
  return {
    evidenceBands: [...stats.evidenceBands],
    fileBands,
    bands: stats.bands,
    nodataBefore,
    nodataAfter,
    beforeMean: Float64Array.from(stats.beforeMean),
    beforeStd: Float64Array.from(stats.beforeStd),
    afterMean: Float64Array.from(stats.afterMean),
    afterStd: Float64Array.from(stats.afterStd),
    madMeanBefore: Float64Array.from(stats.irmad.meanBefore),
    madMeanAfter: Float64Array.from(stats.irmad.meanAfter),
    madA: Float64Array.from(stats.irmad.a),
    madB: Float64Array.from(stats.irmad.b),
    madInverseVariance: Float64Array.from(stats.irmad.madVariance, (v) => (v > 0 ? 1 / v : 0)),
    cvaMedian: stats.cvaMedian ?? 1,
    madMedian: stats.madMedian ?? 1,
  };
}

/** Per-pixel cues of a window: validity, the two change scores. */
export interface Cues {
  valid: Uint8Array;
  cva: Float32Array;
  mad: Float32Array;
}

/**
 * The two change cues of a window (planar Float32 inputs of the same size). Pure.
 * Validity: nodata (or non-finite) in either epoch excludes the pixel.
 */
export function computeCues(beforeAll: Float32Array, afterAll: Float32Array, width: number, height: number, model: ScoreModel): Cues {
  const n = width * height;
  const subset = model.evidenceBands.length !== model.fileBands;
  const before = subset ? pickBands(beforeAll, n, model.evidenceBands) : beforeAll;
  const after = subset ? pickBands(afterAll, n, model.evidenceBands) : afterAll;
  const valid = new Uint8Array(n).fill(1);
  andValidMask(before, width, height, model.bands, model.nodataBefore, valid);
  andValidMask(after, width, height, model.bands, model.nodataAfter, valid);
  const cva = new Float32Array(n);
  changeVectorMagnitude(before, after, width, height, model.bands, valid, model.beforeMean, model.beforeStd, model.afterMean, model.afterStd, cva);
  const mad = new Float32Array(n);
  madChiScore(before, after, width, height, model.bands, valid, model.madMeanBefore, model.madMeanAfter, model.madA, model.madB, model.madInverseVariance, new Float64Array(2 * model.bands), mad);
  return { valid, cva, mad };
}

/** Change score of a window read with a 1-pixel halo, cropped to the interior window. */
export interface WindowScore {
  valid: Uint8Array;
  score: Float32Array;
}

/**
 * Fused change score: min of the two cues in multiples of their pair medians, averaged over the
 * valid 3×3 neighbourhood. `halo` is the window actually read (the interior plus up to one pixel on
 * each side, clipped to the pair's overlap) so the result does not depend on where tiles are cut.
 */
export function scoreWindow(before: Float32Array, after: Float32Array, halo: LatticeWindow, interior: LatticeWindow, model: ScoreModel): WindowScore {
  const { width, height } = halo;
  const cues = computeCues(before, after, width, height, model);
  const fused = new Float32Array(width * height);
  fuseMinScaled(cues.cva, cues.mad, model.cvaMedian, model.madMedian, cues.valid, width * height, fused);
  const smooth = new Float32Array(width * height);
  boxMean3x3(fused, cues.valid, width, height, smooth);
  const n = interior.width * interior.height;
  const valid = new Uint8Array(n);
  const score = new Float32Array(n);
  const dx = interior.col - halo.col;
  const dy = interior.row - halo.row;
  for (let y = 0; y < interior.height; y++) {
    const from = (y + dy) * width + dx;
    valid.set(cues.valid.subarray(from, from + interior.width), y * interior.width);
    score.set(smooth.subarray(from, from + interior.width), y * interior.width);
  }
  return { valid, score };
}

/** Binary change of a scored window, and the cleaned mask that patches are made from. */
export interface ChangeMaps {
  /** 1 change / 0 no change (invalid pixels are 0): the per-pixel decision. */
  change: Uint8Array;
  /** change after the optional 3×3 opening. */
  cleaned: Uint8Array;
}

export function classifyChange(scored: WindowScore, width: number, height: number, threshold: number, opening: boolean): ChangeMaps {
  const n = width * height;
  const change = new Uint8Array(n);
  const { valid, score } = scored;
  for (let i = 0; i < n; i++) change[i] = valid[i] === 1 && score[i]! >= threshold ? 1 : 0;
  if (!opening) return { change, cleaned: change.slice() };
  const cleaned = new Uint8Array(n);
  open3x3(change, width, height, new Uint8Array(n), cleaned);
  return { change, cleaned };
}

/** The window grown by one pixel on each side, clipped to `limit`. */
export function haloOf(window: LatticeWindow, limit: LatticeWindow): LatticeWindow {
  const col = Math.max(window.col - 1, limit.col);
  const row = Math.max(window.row - 1, limit.row);
  const colEnd = Math.min(window.col + window.width + 1, limit.col + limit.width);
  const rowEnd = Math.min(window.row + window.height + 1, limit.row + limit.height);
  return { col, row, width: colEnd - col, height: rowEnd - row };
}
