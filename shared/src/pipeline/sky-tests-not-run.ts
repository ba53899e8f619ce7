import type { SceneRecord } from '../catalog/scene-record.js';
import { pairShadowTest } from '../detection/pair-shadows.js';
import { cloudBandsOf } from '../detection/validity.js';
import type { BandName } from '../schemas/manifest.js';
import type { SkyTestsNotRun } from './batch-status.js';

const NEEDED = 'blue, green, red, nir and swir16';

const listed = (bands: readonly (BandName | null)[]) => {
  const named = bands.filter((b): b is BandName => b !== null);
  return named.length > 0 ? named.join(',') : 'no named band';
};

/**
 * The scene's entry when its batch states a reflectance scale that its own bands cannot run the cloud and
 * shadow tests with (docs/detection.md, step 1), else null. Queue mode's counterpart of `shoutu detect`'s
 * warning: the batch status carries it, since no terminal does.
 */
export function sceneSkyTests(scene: SceneRecord): SkyTestsNotRun | null {
  if (!scene.validity?.reflectance || cloudBandsOf(scene.bands) !== null) return null;
  const masked = scene.validity.cloudMask !== undefined;
  return {
    sceneId: scene.sceneId,
    tests: ['cloud', 'shadow'],
    reason:
      `a reflectance scale is stated, but the spectral cloud and shadow tests need ${NEEDED} (the scene has ${listed(scene.bands)}): they do not run, ` +
      (masked ? 'and the batch cloud mask is the only cloud test' : 'and clouds read as change unless the batch gives a cloud mask (cloudMask in batch.json)'),
  };
}

/**
 * The pair's entry when a reflectance scale is stated for either scene and the pair's shadow test does not
 * run although each scene's own bands could run it (sceneSkyTests covers those that cannot), else null.
 * `beforeBands`, `comparedBands`: the planes of the two windows the pair is compared on, named.
 */
export function pairSkyTests(
  before: SceneRecord,
  scene: SceneRecord,
  beforeBands: readonly (BandName | null)[],
  comparedBands: readonly (BandName | null)[],
): SkyTestsNotRun | null {
  const [bs, as] = [before.validity?.reflectance, scene.validity?.reflectance];
  if (!bs && !as) return null;
  if (pairShadowTest(beforeBands, comparedBands, bs, as) !== null) return null;
  if (as && cloudBandsOf(scene.bands) === null) return null; // the scene's own entry says it
  if (!bs || !as) {
    // One epoch's clouds go untested too: its scale is what the cloud test reads reflectance with.
    const reason = !bs
      ? `the earlier epoch's scene (batch ${before.batchId}) states no reflectance scale: its clouds, and cloud shadows in either epoch, are not tested and read as change`
      : `this scene states no reflectance scale (the earlier epoch's scene does): its clouds, and cloud shadows in either epoch, are not tested and read as change`;
    return { sceneId: scene.sceneId, baselineSceneId: before.sceneId, tests: ['cloud', 'shadow'], reason };
  }
  const reason = `the cloud-shadow test needs ${NEEDED} among the bands both scenes are compared on (${listed(comparedBands)}): it does not run, and cloud shadows read as change`;
  return { sceneId: scene.sceneId, baselineSceneId: before.sceneId, tests: ['shadow'], reason };
}
