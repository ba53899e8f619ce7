import type { BandName } from '../schemas/manifest.js';
import { sharedBands } from './band-names.js';
import { NON_EVIDENCE_BANDS } from './evidence-bands.js';

/**
 * Which bands of two epochs are compared. Epochs from one sensor hold the same kinds of band, perhaps in
 * another order; epochs from two sensors (a 4-band satellite product against a drone's RGB, Landsat against
 * Sentinel-2) share some kinds, and are compared on those: a change the shared bands show is a change, and
 * the pair statistics, the thresholds and the change typing all adapt to the bands they are given.
 */
export interface PairBands {
  /** Planes of the before file compared, in the after file's order. */
  before: number[];
  /** Planes of the after file compared, in its own order. */
  after: number[];
  /** The before scene's image bands left out (no band of that kind in the after scene). */
  beforeOnly: BandName[];
  /** The after scene's image bands left out. */
  afterOnly: BandName[];
}

/**
 * The bands a pair is compared on; null when the two epochs share no band that shows the land (only bands
 * of the atmosphere or temperature, NON_EVIDENCE_BANDS, or none at all): such epochs cannot be compared.
 */
export function pairBands(before: readonly BandName[], after: readonly BandName[]): PairBands | null {
  const shared = sharedBands(before, after);
  if (!shared.to.some((i) => !NON_EVIDENCE_BANDS.has(after[i]!))) return null;
  return {
    before: shared.from,
    after: shared.to,
    beforeOnly: before.filter((_, j) => !shared.from.includes(j)),
    afterOnly: after.filter((_, i) => !shared.to.includes(i)),
  };
}

/** Whether the pair compares every image band of both epochs (the same kinds, in any order). */
export const comparesAllBands = (bands: PairBands): boolean => bands.beforeOnly.length === 0 && bands.afterOnly.length === 0;
