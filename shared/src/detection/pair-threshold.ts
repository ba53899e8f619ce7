/**
 * The pair's change threshold from the histogram of its score (docs/detection.md, step 7).
 *
 * Otsu's rule (Otsu 1979) splits a histogram into the two classes that differ most. Where a pair holds a
 * distinct group of changed pixels the split falls above the unchanged ones: in multiples of the pair's
 * median (the fused spectral score's unit, step 6) every labelled pair measured splits at 1.59 to 6.3. A pair
 * with no such group — nothing changed, only noise, haze or a gain between the dates, or change so rare that
 * its tail carries no weight — has one mode, and Otsu splits that mode through its middle, flagging a fifth
 * to a half of the ground (0.98 to 1.20). For a histogram of one mode and its tail, Rosin's rule
 * (kernels/unimodal-threshold.ts; Rosin 2001) is the one made for it: it puts the split where the tail
 * leaves the mode. So a spectral split below BULK_THRESHOLD times the median — a typical unchanged pixel
 * nearly reaches it — is replaced by Rosin's (never lowered); every other split stays Otsu's. The structural
 * score of sub-metre imagery is not in multiples of a median and always takes Otsu's.
 */
import { otsuThreshold } from '../kernels/otsu.js';
import { rosinThreshold } from '../kernels/unimodal-threshold.js';
import { SCORE_HISTOGRAM } from './parameters.js';

/** Spectral splits below this many times the pair's median score are in the bulk of its scores. */
export const BULK_THRESHOLD = 1.25;

export interface PairThreshold {
  /** Score at or above which a pixel is change. */
  threshold: number;
  /** Otsu's split, when it lay in the bulk and Rosin's rule set the threshold instead. */
  otsuSplit?: number;
}

/**
 * The threshold for a pair's score histogram (SCORE_HISTOGRAM's bins): Otsu's split, or, for a spectral
 * score whose Otsu split lies in the bulk, the larger of it and Rosin's unimodal split.
 */
export function pairThreshold(hist: Float64Array, spectral: boolean): PairThreshold {
  const otsu = otsuThreshold(hist, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max);
  if (!spectral || otsu >= BULK_THRESHOLD) return { threshold: otsu };
  return { threshold: Math.max(otsu, rosinThreshold(hist, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max)), otsuSplit: otsu };
}
