/**
 * Cloud shadows, tested against the other epoch of the pair (multispectral imagery with a known
 * reflectance scale in both epochs; the caller decides when it applies, docs/detection.md "Validity").
 *
 * A pixel of epoch E is cloud shadow when
 *   dark:      ρ_nir < 0.12 and ρ_swir16 < 0.10, and not water (ρ_nir ≥ ρ_green) — the darkness Fmask's
 *              NIR flood-fill looks for (Zhu & Woodcock 2012), and
 *   darkened:  ρ_nir and ρ_swir16 below half of the other epoch's, and blue, green and red below the other
 *              epoch's.
 * Why the other epoch: Fmask confirms a dark pixel as shadow by projecting a cloud onto it, which needs
 * sun and view geometry and a search of kilometres; without it, darkness alone also takes ground that is
 * dark in its own right — building shadows under a low winter sun, dark roofs, asphalt, wet fields (4.5 to
 * 8 % of the winter epochs of OSCD's Paris scenes at Sentinel-2 L1C's scale). A cloud's shadow takes away
 * the direct sunlight, most of the irradiance in the near and short-wave infrared, so it darkens every band
 * of ground that was lit in the other epoch, the infrared to a fraction of its value; multi-temporal cloud
 * masks confirm shadows the same way, by the darkening against a clear image of the same ground (Zhu &
 * Woodcock 2014; Hagolle et al. 2010). Ground dark in both epochs is compared like with like, and a new
 * surface that darkens only the infrared (asphalt or a dark roof on a field brightens its red) is change to
 * report, not a shadow.
 *
 * Layout: `before` and `after` are band-sequential Float32 windows of the same pixels
 * (`planar[b*pixels + i]`), `bandsBefore` and `bandsAfter` planes each; unusable samples are NaN.
 * A shadow pixel becomes NaN in every band of its epoch (the change pass then never scores it, and it
 * counts as unusable in that epoch). A pixel with a non-finite sample among the tested bands of either
 * epoch is left as it is (it is unusable already). The test is per pixel, so windows cut anywhere give the
 * same pixels, and applying it twice changes nothing (a pixel darker than the other epoch by half is not
 * also brighter).
 */

import { requireIntegerInRange, requireLength } from './argument-checks.js';

/** Plane positions of the bands the shadow test reads, in one epoch's window. */
export interface ShadowBands {
  blue: number;
  green: number;
  red: number;
  nir: number;
  swir16: number;
}

/** One epoch's planes for the test and its reflectance scale (ρ = sample × scale + offset). */
export interface ShadowEpoch {
  at: ShadowBands;
  scale: number;
  offset: number;
}

export const SHADOW_TESTS = {
  nirMax: 0.12,
  swirMax: 0.1,
  /** the infrared of a shadow pixel is below this share of the other epoch's */
  infraredShare: 0.5,
} as const;

/**
 * Clears (NaN in every band) the pixels of each epoch that are cloud shadow against the other, in place.
 * Returns how many pixels were cleared in the before and in the after window.
 */
export function clearPairShadows(
  before: Float32Array,
  after: Float32Array,
  pixels: number,
  bandsBefore: number,
  bandsAfter: number,
  b: ShadowEpoch,
  a: ShadowEpoch,
): { before: number; after: number } {
  requireIntegerInRange('pixels', pixels, 0, 2 ** 31 - 1);
  requireIntegerInRange('bandsBefore', bandsBefore, 1, 0xffff);
  requireIntegerInRange('bandsAfter', bandsAfter, 1, 0xffff);
  requireLength('before', before, bandsBefore * pixels);
  requireLength('after', after, bandsAfter * pixels);
  for (const [epoch, at, bands] of [['before', b.at, bandsBefore], ['after', a.at, bandsAfter]] as const) {
    for (const [name, index] of Object.entries(at)) requireIntegerInRange(`${epoch} band ${name}`, index, 0, bands - 1);
  }
  const { nirMax, swirMax, infraredShare: share } = SHADOW_TESTS;
  const [sb, ob, sa, oa] = [b.scale, b.offset, a.scale, a.offset];
  const [bb, bg, br, bn, bs] = [b.at.blue, b.at.green, b.at.red, b.at.nir, b.at.swir16].map((k) => k * pixels) as [number, number, number, number, number];
  const [ab, ag, ar, an, as] = [a.at.blue, a.at.green, a.at.red, a.at.nir, a.at.swir16].map((k) => k * pixels) as [number, number, number, number, number];
  let clearedBefore = 0;
  let clearedAfter = 0;
  for (let i = 0; i < pixels; i++) {
    const nirB = before[bn + i]! * sb + ob;
    const swirB = before[bs + i]! * sb + ob;
    const nirA = after[an + i]! * sa + oa;
    const swirA = after[as + i]! * sa + oa;
    // Only a pixel dark in one epoch can be shadow there; most are dark in neither.
    const darkB = nirB < nirMax && swirB < swirMax;
    const darkA = nirA < nirMax && swirA < swirMax;
    if (!darkB && !darkA) continue;
    const blueB = before[bb + i]! * sb + ob;
    const greenB = before[bg + i]! * sb + ob;
    const redB = before[br + i]! * sb + ob;
    const blueA = after[ab + i]! * sa + oa;
    const greenA = after[ag + i]! * sa + oa;
    const redA = after[ar + i]! * sa + oa;
    if (darkB && nirB >= greenB && nirB < share * nirA && swirB < share * swirA && blueB < blueA && greenB < greenA && redB < redA) {
      for (let k = 0; k < bandsBefore; k++) before[k * pixels + i] = Number.NaN;
      clearedBefore++;
    } else if (darkA && nirA >= greenA && nirA < share * nirB && swirA < share * swirB && blueA < blueB && greenA < greenB && redA < redB) {
      for (let k = 0; k < bandsAfter; k++) after[k * pixels + i] = Number.NaN;
      clearedAfter++;
    }
  }
  return { before: clearedBefore, after: clearedAfter };
}
