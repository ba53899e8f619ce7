import { detectTile, type BlobStore, type JobData, type MaskCache, type OpenSceneCache } from '@shoutu/shared';
import { type JobLogger } from '@shoutu/shared/queue/index.js';

export interface DetectDeps {
  store: BlobStore;
  masks: MaskCache;
  /** Scenes kept open between jobs (a file block that several tiles cut is decoded once). */
  scenes?: OpenSceneCache;
}

/** detect-tile: change map and patches of one tile, written to storage for the alert stage. */
export async function handleDetectTile(deps: DetectDeps, data: JobData<'detect-tile'>, log: JobLogger) {
  const result = await detectTile(deps.store, data, deps.masks, deps.scenes);
  log.info({ batchId: data.batchId, tileId: data.tileKey, patches: result.patches.length, changedPixels: result.changedPixels }, 'tile detected');
  return { patches: result.patches.length };
}
