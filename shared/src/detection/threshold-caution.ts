/**
 * A caution for the operator when a pair's change threshold lies in the bulk of its scores.
 *
 * The fused score is in multiples of the pair's median (docs/detection.md, step 6), so a typical unchanged
 * pixel scores about 1. Otsu's rule (step 7) splits any histogram in two: where a pair holds a distinct
 * group of changed pixels the split falls above the unchanged ones (1.59 to 6.3 on every labelled pair
 * measured), but a pair in which nothing changed is split through its middle, and a fifth to a half of its
 * ground is flagged (step 7, "Pairs without change": the same date delivered twice, sensor noise alone,
 * bercy without its labelled change: thresholds 0.98 to 1.19). The decision stays Otsu's; the caution says
 * that this pair's 图斑 may be unchanged ground, before field teams are sent.
 */
import type { PairStats } from './pair-stats.js';

/** Thresholds below this many times the pair's median score are in its bulk. */
export const BULK_THRESHOLD = 1.25;

/**
 * Whether the pair's threshold lies in the bulk of its scores: a spectral score (structure null; the
 * structural score of sub-metre imagery is not in multiples of a median) split below BULK_THRESHOLD.
 */
export function thresholdInBulk(stats: Pick<PairStats, 'structure' | 'threshold'>): boolean {
  return (stats.structure ?? null) === null && stats.threshold < BULK_THRESHOLD;
}

/** The operator's message; `flaggedShare`: the share of the examined pixels flagged, when known. */
export function bulkThresholdMessage(threshold: number, flaggedShare?: number): string {
  const flagged = flaggedShare === undefined ? '' : `, ${(100 * flaggedShare).toFixed(1)} % of the examined pixels flagged`;
  return (
    `the change threshold ${threshold.toFixed(4)} lies in the bulk of this pair's scores (below ${BULK_THRESHOLD} times their median${flagged}): ` +
    'the pair may hold no distinct change, as when the same date is delivered twice or only noise differs; check the pair before sending field teams'
  );
}
