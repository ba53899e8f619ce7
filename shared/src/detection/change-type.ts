import type { IndexChannel } from './change-evidence.js';

/**
 * What a change patch is (docs/detection.md, "Typing"). `seasonal` (vegetated in both epochs, only
 * vigour or phenology differs) is kept as a type but never reported as a 图斑 nor alerted.
 */
export const CHANGE_TYPES = ['construction', 'bare_soil', 'water_gain', 'water_loss', 'vegetation_loss', 'vegetation_gain', 'other', 'seasonal'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/**
 * Thresholds of the typing rules, each with its reason:
 * - WATER: MNDWI (or NDWI) > 0 is open water (Xu 2006; McFeeters 1996). A water transition also needs
 *   a change of WATER_DELTA, so a pixel hovering around 0 (wet soil, turbid shallows) is not one. In DN
 *   imagery the path radiance lifts green more than SWIR, so land can read slightly above 0: a rise of
 *   WATER_JUMP that also darkens the patch (water is dark) counts as water gain from any start, and a
 *   fall of WATER_JUMP from above 0 as water loss.
 * - VEGETATED: NDVI ≥ 0.3 is the usual floor of green vegetation in reflectance; ExG ≥ 0.05 on
 *   chromatic coordinates is where green starts to dominate red and blue (Woebbecke et al. 1995).
 * - VEGETATION_DELTA: a loss must be a real fraction of the greenness, not phenology noise.
 * - GREYING / SOIL: hardened surfaces (concrete, asphalt, metal roofs) are grey: their chroma drops;
 *   bare soil is reddish and its BSI rises (Rikimaru et al. 2002) to a soil value (≥ 0.1: sparse dry
 *   vegetation also raises BSI, but stays below), or, without SWIR, its redness rises.
 * - BRIGHTENING: a rise of at least one pair standard deviation of brightness with no gain in colour is
 *   the other signature of hardening (new roofs and concrete are among the brightest surfaces).
 */
export const TYPING = {
  water: 0,
  waterDelta: 0.2,
  waterJump: 0.25,
  brighteningZ: 1,
  vegetatedNdvi: 0.3,
  vegetatedExg: 0.05,
  vegetationDeltaNdvi: 0.1,
  vegetationDeltaExg: 0.03,
  greyingChroma: -0.05,
  soilBsiDelta: 0.05,
  soilBsi: 0.1,
  soilRednessDelta: 0.03,
} as const;

export type IndexMeans = Partial<Record<IndexChannel, { before: number; after: number }>>;

/** Type of a change from its patch's mean index transitions. Rules in order; the first that holds wins. */
export function changeTypeOf(means: IndexMeans): ChangeType {
  const t = TYPING;
  const delta = (c: IndexChannel) => (means[c] ? means[c]!.after - means[c]!.before : null);
  const water = means.water;
  // 1. Water appears (ponds dug into fields) or disappears (water bodies filled): the strongest
  //    spectral transition there is, and it overrides the vegetation cues (water has none).
  if (water && water.before <= t.water && water.after > t.water && water.after - water.before >= t.waterDelta) return 'water_gain';
  if (water && water.before > t.water && water.after <= t.water && water.before - water.after >= t.waterDelta) return 'water_loss';
  const darker = (delta('brightness') ?? 0) < 0;
  if (water && water.after > t.water && water.after - water.before >= t.waterJump && darker) return 'water_gain';
  if (water && water.before > t.water && water.before - water.after >= t.waterJump && !darker) return 'water_loss';
  // 2. Vegetation state in each epoch: NDVI when there is NIR, else ExG on RGB.
  const green = means.ndvi ?? means.exg;
  if (!green) return 'other';
  const [floor, step] = means.ndvi ? [t.vegetatedNdvi, t.vegetationDeltaNdvi] : [t.vegetatedExg, t.vegetationDeltaExg];
  const vegBefore = green.before >= floor;
  const vegAfter = green.after >= floor;
  // Vegetated in both epochs: only vigour or phenology differs (harvest timing, crop stage).
  if (vegBefore && vegAfter) return 'seasonal';
  if (!vegBefore && vegAfter) return green.after - green.before >= step ? 'vegetation_gain' : 'other';
  // 3. Not vegetated afterwards: what it became. Greyer and brighter: a hardened surface; more soil
  //    signal (BSI up, or redness up without SWIR): bare earth.
  const greying = (delta('chroma') ?? 0) <= t.greyingChroma;
  const brighter = (delta('brightness') ?? 0) > 0;
  const soilDelta = delta('bsi');
  const soil = soilDelta !== null ? soilDelta >= t.soilBsiDelta && means.bsi!.after >= t.soilBsi : (delta('redness') ?? 0) >= t.soilRednessDelta;
  const lostGreen = vegBefore && green.before - green.after >= step;
  if (greying && brighter) return 'construction';
  if ((delta('brightness') ?? 0) >= t.brighteningZ && (delta('chroma') ?? 0) <= 0) return 'construction';
  if (soil && (lostGreen || !vegBefore)) return 'bare_soil';
  if (lostGreen) return 'vegetation_loss';
  // Soil or built to something else non-vegetated: brighter and not greener → most likely hardening.
  if (!vegBefore && brighter && (delta('ndbi') ?? 0) > 0) return 'construction';
  return 'other';
}

/** Whether a type is reported as a 图斑 (and can be alerted). */
export function isReported(type: ChangeType): boolean {
  return type !== 'seasonal';
}
