import { windowFootprint } from '../catalog/scene-footprint.js';
import { summarizeCoverage, type CoverageSummary } from '../detection/coverage.js';
import { MASK_LAYERS } from '../detection/parameters.js';
import type { Lattice } from '../grid/lattice.js';
import type { DetectResult } from './detect-tile.js';
import type { PairCoverage } from './batch-status.js';

/** One tile of a scene pair on the coverage map: its outline and the ground detection examined there. */
export interface CoverageFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
  bbox: [number, number, number, number];
  properties: { sceneId: string; baselineSceneId: string; tileId: string } & CoverageSummary;
}

/**
 * The batch's coverage, from its detect results grouped by scene pair (pairs in id order, tiles in tile-key
 * order): per pair, the sums (batch status `coverage`), and per tile a feature of the map
 * (batches/<id>/coverage.geojson) that shows where the ground was not examined (cloud, shadow, fill or no
 * data in an epoch) so the next epoch, or a drone flight, can look there. Results written before tiles
 * carried their coverage are left out.
 */
export function batchCoverage(byPair: ReadonlyArray<readonly [string, readonly DetectResult[]]>, latticeOf: (result: DetectResult) => Lattice): { pairs: PairCoverage[]; features: CoverageFeature[] } {
  const pairs: PairCoverage[] = [];
  const features: CoverageFeature[] = [];
  for (const [, results] of byPair) {
    const counted = results.filter((r) => r.coverage !== undefined);
    if (counted.length === 0) continue;
    const { job } = counted[0]!;
    const layers = MASK_LAYERS.filter((name) => job.masks.some((m) => m.layer === name));
    pairs.push({ sceneId: job.sceneId, baselineSceneId: job.baselineSceneId, tiles: counted.length, ...summarizeCoverage(counted.map((r) => r.coverage), layers) });
    for (const r of counted) {
      const { coordinates, bbox } = windowFootprint(latticeOf(r), r.job.window);
      features.push({
        type: 'Feature',
        id: r.job.tileKey,
        geometry: { type: 'Polygon', coordinates },
        bbox,
        properties: { sceneId: r.job.sceneId, baselineSceneId: r.job.baselineSceneId, tileId: r.job.tileId, ...summarizeCoverage([r.coverage], layers) },
      });
    }
  }
  return { pairs, features };
}
