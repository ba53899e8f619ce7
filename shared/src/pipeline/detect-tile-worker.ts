/**
 * Worker-thread side of runBatch's tile stages: opens the store (StoreConfig) once and runs each tile the
 * calling thread sends through detect and alert (detectAndAlertTile, as the calling thread does for its
 * own lane), TILES_IN_FLIGHT at a time, keeping scenes open from job to job; results go to the store and
 * the tile's outcome back to the caller. Before the tiles, during ingest, it checks parts of the delivered
 * files' blocks ('verify'). A 'close' task waits for the tiles still running and closes the scenes before
 * the thread is terminated.
 */
import { createStore, type StoreConfig } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { OpenSceneCache } from '../catalog/scene-cache.js';
import { sceneLookup } from '../catalog/scene-catalog.js';
import { MaskCache } from './mask-store.js';
import { detectAndAlertTile, TILES_IN_FLIGHT } from './tile-stage.js';
import { serveTasks, workerDataOf } from './worker-pool.js';
import { verifyFileBlocks } from './place-scene.js';
import type { BlockPart } from '../raster/index.js';

/** What runBatch sends a tile worker thread: a tile, part of a file's block check during ingest, or close. */
export type DetectTileTask = { kind: 'tile'; job: DetectTileJob } | { kind: 'verify'; path: string; name: string; part: BlockPart } | { kind: 'close' };

const store = createStore(workerDataOf<StoreConfig>());
const masks = new MaskCache();
let scenes = new OpenSceneCache(store);
// The batch's scene records, read once by this thread's tiles; a pool serves one batch, then closes.
let sceneOf = sceneLookup(store);
/** Tiles this thread is running (TILES_IN_FLIGHT at most): a close waits for them. */
const running = new Set<Promise<unknown>>();
serveTasks<DetectTileTask>(async (task) => {
  if (task.kind === 'close') {
    await Promise.allSettled([...running]);
    await scenes.close();
    scenes = new OpenSceneCache(store);
    sceneOf = sceneLookup(store);
    return null;
  }
  if (task.kind === 'verify') {
    await verifyFileBlocks(task.path, task.name, task.part);
    return null;
  }
  const tile = detectAndAlertTile(store, task.job, masks, scenes, sceneOf);
  running.add(tile);
  return tile.finally(() => running.delete(tile));
}, TILES_IN_FLIGHT);
