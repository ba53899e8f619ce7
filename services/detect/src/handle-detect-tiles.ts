import type { Job } from 'bullmq';
import { detectTileRun, type BlobStore, type JobData, type MaskCache, type OpenSceneCache } from '@shoutu/shared';
import { isLastAttempt, type JobLogger } from '@shoutu/shared/queue/index.js';

export interface DetectDeps {
  store: BlobStore;
  masks: MaskCache;
  /** Scenes kept open between jobs (a file block that several tiles cut is decoded once). */
  scenes?: OpenSceneCache;
}

/**
 * detect-tiles: change map and patches of each tile of a run, written to storage for the alert stage.
 * Returns which tiles could not be detected, for the run's alert job.
 */
export async function handleDetectTiles(deps: DetectDeps, data: JobData<'detect-tiles'>, job: Job, log: JobLogger) {
  return detectTileRun(deps.store, data.tiles, deps.masks, deps.scenes, {
    lastAttempt: isLastAttempt(job),
    onTile: (tile, outcome) => {
      if ('reason' in outcome) log.warn({ batchId: data.batchId, tileId: tile.tileKey, reason: outcome.reason }, 'tile failed');
      else log.info({ batchId: data.batchId, tileId: tile.tileKey, patches: outcome.patches }, 'tile detected');
    },
  });
}
