import { REPLICATION_COUNTS_PER_BAND } from '../kernels/replication-contrast.js';

/**
 * A band is taken as pixel-replicated from a coarser grid when, in either direction, its mean local
 * parity contrast of equal neighbours (accumulateReplicationContrast) is at least this: about 0.85–1 for
 * a band replicated 2× in that direction, under 0.1 for a native one (measured on OSCD, Taizhou, LEVIR).
 * Either, not both: a reprojected band may keep the pattern in one direction only.
 */
export const REPLICATION_CONTRAST = 0.5;

/** Fewer runs than this in a direction decide nothing there. */
const MIN_RUNS = 50;

/**
 * The candidate evidence bands without those delivered pixel-replicated (docs/detection.md, step 2):
 * a replicated band carries its coarse pixels' edges as steps every other pixel, which the per-pixel
 * cues read as change wherever the two dates differ; the native bands see the same ground in finer
 * detail. `contrast` is accumulateReplicationContrast's over the file's bands. When every candidate looks
 * replicated (an image upsampled as a whole), all of them stay.
 */
export function nativeBands(candidates: readonly number[], contrast: Float64Array): number[] {
  const replicated = (band: number) => {
    const o = band * REPLICATION_COUNTS_PER_BAND;
    return [0, 2].some((d) => contrast[o + d + 1]! >= MIN_RUNS && contrast[o + d]! / contrast[o + d + 1]! >= REPLICATION_CONTRAST);
  };
  const kept = candidates.filter((b) => !replicated(b));
  return kept.length > 0 ? kept : [...candidates];
}
