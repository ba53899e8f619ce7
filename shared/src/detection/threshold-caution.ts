/**
 * A caution for the operator when Otsu's split of a pair's scores lies in their bulk.
 *
 * The fused score is in multiples of the pair's median (docs/detection.md, step 6), so a typical unchanged
 * pixel scores about 1. Where Otsu's split falls below BULK_THRESHOLD the pair holds no distinct group of
 * changed pixels (the same date delivered twice, sensor noise alone, bercy without its labelled change:
 * 0.98 to 1.20), and the threshold is then Rosin's unimodal split of the scores' tail (pair-threshold.ts),
 * which flags far less. The caution still says that this pair's 图斑 may be unchanged ground, before field
 * teams are sent: what is left is the tail of a single mode, not a class of its own.
 */
import { BULK_THRESHOLD } from './pair-threshold.js';
import type { PairStats } from './pair-stats.js';

export { BULK_THRESHOLD };

/**
 * Whether the pair's Otsu split lay in the bulk of its scores: a spectral score (structure null; the
 * structural score of sub-metre imagery is not in multiples of a median) whose statistics record the split
 * Rosin's rule replaced, or, from a detector before 10, whose threshold itself lies below BULK_THRESHOLD.
 */
export function thresholdInBulk(stats: Pick<PairStats, 'structure' | 'threshold' | 'otsuSplit'>): boolean {
  return (stats.structure ?? null) === null && (stats.otsuSplit !== undefined || stats.threshold < BULK_THRESHOLD);
}

/** The operator's message; `flaggedShare`: the share of the examined pixels flagged, when known. */
export function bulkThresholdMessage(stats: Pick<PairStats, 'threshold' | 'otsuSplit'>, flaggedShare?: number): string {
  const flagged = flaggedShare === undefined ? '' : `, ${(100 * flaggedShare).toFixed(1)} % of the examined pixels flagged`;
  const rule =
    stats.otsuSplit === undefined
      ? `the change threshold ${stats.threshold.toFixed(4)} lies in the bulk of this pair's scores (below ${BULK_THRESHOLD} times their median${flagged})`
      : `Otsu's split ${stats.otsuSplit.toFixed(4)} lies in the bulk of this pair's scores (below ${BULK_THRESHOLD} times their median), ` +
        `so the change threshold is the start of their tail, ${stats.threshold.toFixed(4)} (Rosin's unimodal rule${flagged})`;
  return `${rule}: the pair may hold no distinct change, as when the same date is delivered twice or only noise differs; check the pair before sending field teams`;
}
