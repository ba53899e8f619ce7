import type { MaskLayerName } from '../detection/parameters.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Area (亩) from which a patch counts as large and moves up one level. */
export const LARGE_PATCH_MU = 10;

/**
 * Severity by legal stakes: ecological red line above permanent basic farmland above other land, and a
 * large patch one level above a small one on the same land:
 * red line → high (critical if large); farmland → medium (high if large); other → low (medium if large).
 */
export function severityOf(areaMu: number, overlap: Record<MaskLayerName, { pixels: number }>): Severity {
  const base = overlap.redline.pixels > 0 ? 2 : overlap.farmland.pixels > 0 ? 1 : 0;
  const level = base + (areaMu >= LARGE_PATCH_MU ? 1 : 0);
  return SEVERITIES[level]!;
}
