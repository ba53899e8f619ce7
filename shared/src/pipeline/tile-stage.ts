import type { BlobStore } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import type { OpenSceneCache } from '../catalog/scene-cache.js';
import type { SceneLookup } from '../catalog/scene-catalog.js';
import { detectTile } from './detect-tile.js';
import { alertTile, type TileOutcome } from './alert-tile.js';
import type { MaskCache } from './mask-store.js';
import { stableJson } from '../util/stable-json.js';

/**
 * Tiles one thread (or one queue-mode run) takes through its stages at once. A tile waits on the store for
 * much of its time (reading its result back, writing evidence, observations and its outcome: round trips
 * of milliseconds on S3); with a second tile in flight the thread computes one while the other waits. Two
 * keep most of that gain at little memory (each holds its windows).
 */
export const TILES_IN_FLIGHT = 2;

/** How a failed detect is recorded on its tile: the error's name and message. */
export function failureOf(error: unknown): string {
  return `${(error as Error).name}: ${(error as Error).message}`;
}

/**
 * One tile through embedded mode's detect and alert stages, in whichever thread runs it: a detect that
 * fails is recorded as the tile's failure (one bad tile must not stop the batch, as a failed job in queue
 * mode); an alert that fails throws. Each tile's result is a function of its job and the store alone, so
 * which thread runs it changes nothing. `sceneOf`: the batch's sceneLookup (each scene record read once).
 */
export async function detectAndAlertTile(store: BlobStore, job: DetectTileJob, masks: MaskCache, scenes: OpenSceneCache, sceneOf?: SceneLookup): Promise<TileOutcome> {
  const detected = await detectTile(store, job, masks, scenes, sceneOf).then(
    (result) => ({ result }),
    (error: unknown) => ({ failure: failureOf(error) }),
  );
  const alertJob = { batchId: job.batchId, tileKey: job.tileKey };
  // The result as stored (the same JSON), so the alert stage need not read back what this thread just wrote.
  if ('result' in detected) return alertTile(store, alertJob, undefined, scenes, sceneOf, stableJson(detected.result));
  return alertTile(store, alertJob, detected.failure, scenes, sceneOf);
}
