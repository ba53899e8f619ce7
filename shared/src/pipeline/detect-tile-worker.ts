/**
 * Worker-thread side of runBatch's detect stage: opens the store (StoreConfig) once and runs detectTile
 * for each job the calling thread sends, keeping scenes open from job to job; results go to the store, as
 * in one thread. A 'close' task closes the scenes before the thread is terminated.
 */
import { createStore, type StoreConfig } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { OpenSceneCache } from '../catalog/scene-cache.js';
import { detectTile } from './detect-tile.js';
import { MaskCache } from './mask-store.js';
import { serveTasks, workerDataOf } from './worker-pool.js';

/** What runBatch sends a detect worker thread. */
export type DetectTileTask = { kind: 'detect'; job: DetectTileJob } | { kind: 'close' };

const store = createStore(workerDataOf<StoreConfig>());
const masks = new MaskCache();
let scenes = new OpenSceneCache(store);
serveTasks<DetectTileTask>(async (task) => {
  if (task.kind === 'close') {
    await scenes.close();
    scenes = new OpenSceneCache(store);
    return null;
  }
  await detectTile(store, task.job, masks, scenes);
  return null;
});
