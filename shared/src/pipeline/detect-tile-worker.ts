/**
 * Worker-thread side of runBatch's detect stage: opens the store (StoreConfig) once and runs detectTile
 * for each job the calling thread sends; results go to the store, as in one thread.
 */
import { createStore, type StoreConfig } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { detectTile } from './detect-tile.js';
import { MaskCache } from './mask-store.js';
import { serveTasks, workerDataOf } from './worker-pool.js';

const store = createStore(workerDataOf<StoreConfig>());
const masks = new MaskCache();
serveTasks<DetectTileJob>(async (job) => {
  await detectTile(store, job, masks);
  return null;
});
