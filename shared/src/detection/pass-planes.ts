import type { BandName } from '../schemas/manifest.js';
import { indexPlan } from './change-evidence.js';
import type { ScoreModel } from './classify-change.js';
import { vegetationTestOf } from './seasonal.js';

/**
 * The planes of a pair's windows the detect pass reads (indices into `bands`, ascending): the evidence bands
 * `model` scores, and the bands the typing indices (indexPlan), the seasonal vegetation test (vegetationTestOf)
 * and the pair's cloud-shadow test (`model.shadow`) take, asked of them. Why: a Sentinel-2 stack on a 10 m grid
 * holds 13 bands, and once its 20 m and 60 m bands are found pixel-replicated the pass reads five of them; the
 * halo caches then hold only those (HaloWindowCache.keepPlanes), which is most of a thread's memory on such a
 * pair.
 */
export function passPlanes(
  bands: readonly (BandName | null)[],
  model: Pick<ScoreModel, 'evidenceBands' | 'evidenceGroups' | 'beforeMean' | 'beforeStd' | 'afterMean' | 'afterStd' | 'shadow'>,
): number[] {
  const keep = new Set(model.evidenceBands);
  for (const b of Object.values(indexPlan(bands, model).band)) keep.add(b);
  const vegetation = vegetationTestOf(bands);
  if (vegetation !== null) {
    for (const b of vegetation.index === 'ndvi' ? [vegetation.nir, vegetation.red] : [vegetation.red, vegetation.green, vegetation.blue]) keep.add(b);
  }
  if (model.shadow !== null) for (const b of Object.values(model.shadow.before.at)) keep.add(b);
  return [...keep].sort((a, b) => a - b);
}

/** `stats` for windows holding only `planes` (ascending indices that include every evidence band): the evidence bands renumbered. */
export function statsOnPlanes<S extends { evidenceBands: readonly number[] }>(stats: S, planes: readonly number[]): S {
  const evidenceBands = stats.evidenceBands.map((b) => {
    const at = planes.indexOf(b);
    if (at < 0) throw new Error(`evidence band ${b} is not among the planes read (${planes.join(', ')})`);
    return at;
  });
  return { ...stats, evidenceBands };
}
