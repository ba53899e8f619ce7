import type { BlobStore, StoreConfig } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import type { PipelineParameters } from '../detection/parameters.js';
import { storageOnlySink, type AlertSink } from '../alerts/alert-sink.js';
import type { BatchSource } from './batch-source.js';
import { ingestBatch, type IngestResult } from './ingest-batch.js';
import { alertTile, type TileOutcome } from './alert-tile.js';
import { detectAndAlertTile, failureOf, TILES_IN_FLIGHT } from './tile-stage.js';
import { finalizeBatch, type FinalizeResult } from './finalize-batch.js';
import { MaskCache } from './mask-store.js';
import { WorkerPool } from './worker-pool.js';
import { handlerUrl } from './worker-handlers.js';
import type { DetectTileTask } from './detect-tile-worker.js';
import { OpenSceneCache } from '../catalog/scene-cache.js';
import { sceneLookup } from '../catalog/scene-catalog.js';
import { verifyInParts } from './verify-in-parts.js';

export interface RunProgress {
  /** Called once ingest has planned the tiles. */
  planned?(tiles: number): void;
  /** Called after each tile's observations are written. */
  tileDone?(outcome: TileOutcome): void;
}

export interface RunBatchResult {
  ingest: IngestResult;
  finalize: FinalizeResult;
}

export interface RunBatchOptions {
  sink?: AlertSink;
  progress?: RunProgress;
  masks?: MaskCache;
  /**
   * Threads for the detect and alert stages (default 1). Worker threads open the store from `storeConfig`
   * (the configuration `store` was made from); without it the stages run in this thread. Outputs do not
   * depend on it: every tile's detect result and observations are the same function of its job, and the
   * batch is assembled in job order.
   */
  threads?: number;
  storeConfig?: StoreConfig;
}

/**
 * Embedded mode: the three stages in one process, in a fixed order, on one store. The queue services
 * call the same stage functions, one job at a time.
 */
export async function runBatch(store: BlobStore, source: BatchSource, parameters: PipelineParameters, options: RunBatchOptions = {}): Promise<RunBatchResult> {
  const sink = options.sink ?? storageOnlySink;
  const masks = options.masks ?? new MaskCache();
  // The worker threads start before ingest, so their modules load (about a third of a second each) while
  // this thread validates the files and computes the pair statistics; a batch with fewer tiles leaves the
  // extra workers unused.
  const wanted = options.storeConfig ? Math.max(1, options.threads ?? 1) : 1;
  const pool = wanted > 1 ? new WorkerPool(wanted - 1, handlerUrl('detect-tile-worker'), options.storeConfig) : null;
  // Scenes stay open from job to job in each thread (OpenSceneCache), so a file block several tiles cut is
  // decoded once per thread.
  const scenes = new OpenSceneCache(store);
  let ingest: IngestResult;
  // The batch's scene records, read once by this thread's tiles (ingest has written them all by then).
  const sceneOf = sceneLookup(store);
  try {
    // The workers also check part of each delivered file's blocks, beside this thread's part.
    const verifyFile = pool ? verifyInParts(pool.size + 1, (part, path, name) => pool.run(part.index - 1, { kind: 'verify', path, name, part } satisfies DetectTileTask)) : undefined;
    ingest = await ingestBatch(store, source, parameters, verifyFile);
    options.progress?.planned?.(ingest.tiles.length);
    const jobs = ingest.tiles;
    const threads = Math.min(wanted, Math.max(1, jobs.length));
    // Each lane takes its tiles through detect and alert (detectAndAlertTile); outcomes are reported in
    // job order. A worker that fails a tile outright (its thread died, or its alert threw) leaves the tile to
    // this thread: alertTile records it failed when its detect result is missing, else alerts it again here.
    const lanes = inLanes(jobs, threads, (job, lane) =>
      lane === 0
        ? detectAndAlertTile(store, job, masks, scenes, sceneOf)
        : pool!.run(lane - 1, { kind: 'tile', job } satisfies DetectTileTask).then(
            (outcome) => outcome as TileOutcome,
            (error: unknown) => alertTile(store, { batchId: job.batchId, tileKey: job.tileKey }, failureOf(error), scenes, sceneOf),
          ),
    );
    try {
      for (const pending of lanes.outcomes) {
        const outcome = await pending;
        options.progress?.tileDone?.(outcome);
      }
    } finally {
      lanes.stop(); // after a failure, no lane starts another tile
    }
  } finally {
    await scenes.close();
    if (pool) {
      // the workers close their scenes before they go
      await Promise.allSettled(Array.from({ length: pool.size }, (_, k) => pool.run(k, { kind: 'close' } satisfies DetectTileTask)));
      await pool.close();
    }
  }
  const finalize = await finalizeBatch(store, ingest.batchId, sink, { masks });
  return { ingest, finalize };
}

/**
 * Jobs each worker lane has sent to its thread at a time: the TILES_IN_FLIGHT it runs and one more, since
 * the answer to a job waits for this thread's event loop, which a synchronous stretch of its own lane's work
 * can hold for a tenth of a second.
 */
const WORKER_JOBS_AHEAD = TILES_IN_FLIGHT + 1;

/**
 * Runs `run` on every job in `lanes` lanes (lane 0 = this thread, TILES_IN_FLIGHT jobs at a time; a worker
 * lane keeps WORKER_JOBS_AHEAD in its thread). Each lane works through its own
 * contiguous share of the jobs (planned in raster order, so neighbouring tiles, which cut the same file
 * blocks, go to the same lane and its open scenes); a lane that runs out takes jobs from the far end of the
 * share with the most left. Returns one promise per job, in job order, settled as its run settles (a
 * rejection the caller no longer awaits is not reported as unhandled), and `stop`, after which no lane
 * starts another job (their promises stay pending). Which lane runs a job does not change its result.
 */
function inLanes<T>(jobs: readonly DetectTileJob[], lanes: number, run: (job: DetectTileJob, lane: number) => Promise<T>): { outcomes: Array<Promise<T>>; stop: () => void } {
  let stopped = false;
  const settle: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];
  const done = jobs.map(() => new Promise<T>((resolve, reject) => settle.push({ resolve, reject })));
  for (const d of done) d.catch(() => undefined);
  // share k: jobs [next[k], end[k])
  const next = Array.from({ length: lanes }, (_, k) => Math.floor((k * jobs.length) / lanes));
  const end = Array.from({ length: lanes }, (_, k) => Math.floor(((k + 1) * jobs.length) / lanes));
  const take = (k: number): number | null => {
    if (stopped) return null;
    if (next[k]! < end[k]!) return next[k]!++;
    let most = -1;
    for (let j = 0; j < lanes; j++) if (end[j]! - next[j]! > 0 && (most < 0 || end[j]! - next[j]! > end[most]! - next[most]!)) most = j;
    return most < 0 ? null : --end[most]!;
  };
  const slot = async (k: number) => {
    for (let i = take(k); i !== null; i = take(k)) {
      await run(jobs[i]!, k).then(settle[i]!.resolve, settle[i]!.reject);
    }
  };
  for (let k = 0; k < lanes; k++) for (let n = k === 0 ? TILES_IN_FLIGHT : WORKER_JOBS_AHEAD; n > 0; n--) void slot(k);
  return {
    outcomes: done,
    stop: () => {
      stopped = true;
    },
  };
}
