import type { BandName } from '../schemas/manifest.js';
import { clearPairShadows, type ShadowBands, type ShadowEpoch } from '../kernels/cloud-shadow-pair.js';
import { cloudBandsOf, type ReflectanceScale } from './validity.js';

/**
 * The cloud-shadow test of a pair (kernels/cloud-shadow-pair.ts): each epoch's planes and reflectance
 * scale. It runs where both epochs' windows meet — the pair statistics' blocks and the change pass's
 * windows — because a shadow is told from dark ground by the other epoch.
 */
export interface PairShadowTest {
  before: ShadowEpoch;
  after: ShadowEpoch;
}

/** Positions of the shadow test's bands among a window's planes (the cloud test's, but swir22), or null when one is missing. */
function shadowBandsOf(bands: readonly (BandName | null)[]): ShadowBands | null {
  const at = cloudBandsOf(bands);
  return at && { blue: at.blue, green: at.green, red: at.red, nir: at.nir, swir16: at.swir16 };
}

/**
 * The pair's shadow test, or null when it does not run: it needs the reflectance scale of both epochs
 * and blue, green, red, nir (or nir08) and swir16 among the planes both windows hold (`beforeBands`,
 * `afterBands`: the windows' planes, named). The cloud test runs on the same condition, one epoch at a time.
 */
export function pairShadowTest(
  beforeBands: readonly (BandName | null)[],
  afterBands: readonly (BandName | null)[],
  beforeScale: ReflectanceScale | undefined,
  afterScale: ReflectanceScale | undefined,
): PairShadowTest | null {
  const b = shadowBandsOf(beforeBands);
  const a = shadowBandsOf(afterBands);
  if (!b || !a || !beforeScale || !afterScale) return null;
  return { before: { at: b, scale: beforeScale.scale, offset: beforeScale.offset }, after: { at: a, scale: afterScale.scale, offset: afterScale.offset } };
}

/**
 * Marks the cloud-shadow pixels of a pair of windows (the same pixels, every plane of each) NaN in every
 * plane of the shadowed epoch, in place; nothing when `test` is null. The windows are float32 whenever the
 * test runs: it runs only with a known scale, and then the cloud test has read every window as float32.
 */
export function clearShadows(before: ArrayLike<number>, after: ArrayLike<number>, pixels: number, test: PairShadowTest | null): void {
  if (test === null || pixels === 0) return;
  if (!(before instanceof Float32Array) || !(after instanceof Float32Array)) {
    throw new Error('the cloud-shadow test needs both windows as float32 (a known reflectance scale reads them so)');
  }
  clearPairShadows(before, after, pixels, before.length / pixels, after.length / pixels, test.before, test.after);
}
