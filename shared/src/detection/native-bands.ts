import { EQUALITY_COUNTS_PER_BAND } from '../kernels/neighbour-equality.js';

/**
 * A band is taken as pixel-replicated from a coarser grid when, in either direction, the share of equal
 * neighbours differs between the two lattice parities by at least this much (about 0.85 for a band
 * replicated 2× in that direction, about 0 for a native one: accumulateNeighbourEquality). Either, not
 * both: a band reprojected after replication keeps the exact 2× pattern in one direction only (OSCD's
 * 20 m bands: 1.00 against 0.15 along rows, 0.50 on both parities down the columns).
 */
export const REPLICATION_CONTRAST = 0.5;

/** Fewer neighbour pairs than this per parity and direction decide nothing (the band stays). */
const MIN_PAIRS = 1000;

/**
 * The candidate evidence bands without those delivered pixel-replicated (docs/detection.md, step 2):
 * a replicated band carries its coarse pixels' edges as steps every other pixel, which the per-pixel
 * cues read as change wherever the two dates differ; the native bands see the same ground in finer
 * detail. `counts` are accumulateNeighbourEquality's over the file's bands. When every candidate looks
 * replicated (an image upsampled as a whole), all of them stay.
 */
export function nativeBands(candidates: readonly number[], counts: Float64Array): number[] {
  const rate = (o: number) => counts[o]! / counts[o + 1]!;
  const replicated = (band: number) => {
    const o = band * EQUALITY_COUNTS_PER_BAND;
    return [0, 4].some((d) => counts[o + d + 1]! >= MIN_PAIRS && counts[o + d + 3]! >= MIN_PAIRS && Math.abs(rate(o + d) - rate(o + d + 2)) >= REPLICATION_CONTRAST);
  };
  const kept = candidates.filter((b) => !replicated(b));
  return kept.length > 0 ? kept : [...candidates];
}
