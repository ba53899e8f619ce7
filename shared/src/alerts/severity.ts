import type { MaskLayerName } from '../detection/parameters.js';
import type { ChangeType } from '../detection/change-type.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Area (亩) from which a patch counts as large and moves up one level. */
export const LARGE_PATCH_MU = 10;

/** Below this share of clear footprint a patch moves down one level (see severityOf). */
export const LOW_CLOUD_FREE_FRACTION = 0.5;

/**
 * Change types that rank one level below the enforcement targets. Construction (建设占用), bare soil
 * (推土, land being prepared), ponds dug into fields (挖塘: water_gain, the classic conversion of
 * farmland) and filled water bodies (填湖/填塘: water_loss, land made for building, often on protected
 * wetland) are what 卫片执法 pursues; vegetation loss alone (felling, harvest not followed by crops),
 * vegetation gain and unexplained change are usually lawful or not yet a violation.
 */
const MINOR_TYPES: ReadonlySet<ChangeType> = new Set<ChangeType>(['vegetation_loss', 'vegetation_gain', 'other', 'seasonal']);

export interface SeverityInput {
  areaMu: number;
  overlap: Record<MaskLayerName, { pixels: number }>;
  changeType: ChangeType;
  cloudFreeFraction: number;
}

/**
 * Severity by legal stakes, then size, type and how clearly the place was seen:
 * - land: ecological red line → high, permanent basic farmland → medium, other land → low;
 * - a large patch (≥ 10 亩) moves up one level;
 * - a minor change type (vegetation loss or gain, other) moves down one level;
 * - a footprint less than half clear (cloudFreeFraction < 0.5) moves down one level: next to clouds,
 *   thin cloud, haze and shadow fringes that pass the masks look like change, so such a patch is the
 *   least certain; it is still alerted, with its fraction, for a check on the next clear acquisition.
 * Levels are clamped to low…critical.
 */
export function severityOf(input: SeverityInput): Severity {
  const { areaMu, overlap, changeType, cloudFreeFraction } = input;
  const land = overlap.redline.pixels > 0 ? 2 : overlap.farmland.pixels > 0 ? 1 : 0;
  const level = land + (areaMu >= LARGE_PATCH_MU ? 1 : 0) - (MINOR_TYPES.has(changeType) ? 1 : 0) - (cloudFreeFraction < LOW_CLOUD_FREE_FRACTION ? 1 : 0);
  return SEVERITIES[Math.max(0, Math.min(SEVERITIES.length - 1, level))]!;
}
