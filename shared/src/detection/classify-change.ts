import { andValidMask } from '../kernels/valid-mask.js';
import { changeVectorMagnitude } from '../kernels/change-vector.js';
import { open3x3 } from '../kernels/morphology.js';
import type { PairStats } from './pair-stats.js';

/** Scratch and output buffers for one window; allocate once per window size and reuse. */
export interface ChangeBuffers {
  /** 1 where both epochs have data. */
  valid: Uint8Array;
  /** z-scored change vector magnitude; 0 where invalid. */
  score: Float32Array;
  /** 1 change / 0 no change before clean-up (invalid pixels are 0). */
  change: Uint8Array;
  /** change after the optional 3×3 opening. */
  cleaned: Uint8Array;
  scratch: Uint8Array;
}

export function allocateChangeBuffers(pixels: number): ChangeBuffers {
  return {
    valid: new Uint8Array(pixels),
    score: new Float32Array(pixels),
    change: new Uint8Array(pixels),
    cleaned: new Uint8Array(pixels),
    scratch: new Uint8Array(pixels),
  };
}

/** Statistics as typed arrays, converted once per pair rather than per window. */
export interface PairStatsArrays {
  beforeMean: Float64Array;
  beforeStd: Float64Array;
  afterMean: Float64Array;
  afterStd: Float64Array;
  threshold: number;
}

export function pairStatsArrays(stats: PairStats): PairStatsArrays {
  return {
    beforeMean: Float64Array.from(stats.beforeMean),
    beforeStd: Float64Array.from(stats.beforeStd),
    afterMean: Float64Array.from(stats.afterMean),
    afterStd: Float64Array.from(stats.afterStd),
    threshold: stats.threshold,
  };
}

/**
 * Valid mask, change score and change mask of one window (planar Float32 inputs, same size).
 * Pure: no I/O. Steps: nodata of either epoch excluded → z-scored change vector magnitude →
 * threshold of the pair → optional 3×3 opening to drop specks narrower than 3 px.
 */
export function classifyChange(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  bands: number,
  nodataBefore: number | null,
  nodataAfter: number | null,
  stats: PairStatsArrays,
  opening: boolean,
  out: ChangeBuffers,
): void {
  const n = width * height;
  out.valid.fill(1, 0, n);
  andValidMask(before, width, height, bands, nodataBefore, out.valid);
  andValidMask(after, width, height, bands, nodataAfter, out.valid);
  changeVectorMagnitude(before, after, width, height, bands, out.valid, stats.beforeMean, stats.beforeStd, stats.afterMean, stats.afterStd, out.score);
  const t = stats.threshold;
  const { valid, score, change } = out;
  for (let i = 0; i < n; i++) change[i] = valid[i] === 1 && score[i]! >= t ? 1 : 0;
  if (opening) open3x3(change, width, height, out.scratch, out.cleaned);
  else out.cleaned.set(change.subarray(0, n));
}
