import type { BlobStore, StoreConfig } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import type { PipelineParameters } from '../detection/parameters.js';
import { storageOnlySink, type AlertSink } from '../alerts/alert-sink.js';
import type { BatchSource } from './batch-source.js';
import { ingestBatch, type IngestResult } from './ingest-batch.js';
import { detectTile } from './detect-tile.js';
import { alertTile, type TileOutcome } from './alert-tile.js';
import { finalizeBatch, type FinalizeResult } from './finalize-batch.js';
import { MaskCache } from './mask-store.js';
import { WorkerPool } from './worker-pool.js';
import { handlerUrl } from './worker-handlers.js';
import type { DetectTileTask } from './detect-tile-worker.js';
import { OpenSceneCache } from '../catalog/scene-cache.js';

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
   * Threads for the detect stage (default 1). Worker threads open the store from `storeConfig` (the
   * configuration `store` was made from); without it the stage runs in this thread. Outputs do not depend
   * on it: every tile's result is the same function of its job, and alerts are made in job order here.
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
  const ingest = await ingestBatch(store, source, parameters);
  options.progress?.planned?.(ingest.tiles.length);
  const jobs = ingest.tiles;
  const threads = options.storeConfig ? Math.max(1, Math.min(options.threads ?? 1, jobs.length)) : 1;
  const pool = threads > 1 ? new WorkerPool(threads - 1, handlerUrl('detect-tile-worker'), options.storeConfig) : null;
  // Scenes stay open from job to job in each thread (OpenSceneCache), so a file block several tiles cut is
  // decoded once per thread.
  const scenes = new OpenSceneCache(store);
  try {
    // One bad tile must not stop the batch; it is recorded as failed, like a failed job in queue mode.
    const failureOf = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;
    const detected = detectInLanes(jobs, threads, (job, lane) =>
      (lane === 0 ? detectTile(store, job, masks, scenes) : pool!.run(lane - 1, { kind: 'detect', job } satisfies DetectTileTask)).then(
        () => undefined,
        (error: unknown) => failureOf(error),
      ),
    );
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      const failure = await detected[i]!;
      const outcome = await alertTile(store, { batchId: job.batchId, tileKey: job.tileKey }, failure, scenes);
      options.progress?.tileDone?.(outcome);
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
 * Runs `detect` on every job, `lanes` at a time (lane 0 = this thread). Each lane works through its own
 * contiguous share of the jobs (planned in raster order, so neighbouring tiles, which cut the same file
 * blocks, go to the same lane and its open scenes); a lane that runs out takes jobs from the far end of the
 * share with the most left. Returns one promise per job, in job order, resolving with the job's failure
 * reason or undefined. Which lane runs a job does not change the job's result.
 */
function detectInLanes(jobs: readonly DetectTileJob[], lanes: number, detect: (job: DetectTileJob, lane: number) => Promise<string | undefined>): Array<Promise<string | undefined>> {
  const settle: Array<(failure: string | undefined) => void> = [];
  const done = jobs.map(() => new Promise<string | undefined>((resolve) => settle.push(resolve)));
  // share k: jobs [next[k], end[k])
  const next = Array.from({ length: lanes }, (_, k) => Math.floor((k * jobs.length) / lanes));
  const end = Array.from({ length: lanes }, (_, k) => Math.floor(((k + 1) * jobs.length) / lanes));
  const take = (k: number): number | null => {
    if (next[k]! < end[k]!) return next[k]!++;
    let most = -1;
    for (let j = 0; j < lanes; j++) if (end[j]! - next[j]! > 0 && (most < 0 || end[j]! - next[j]! > end[most]! - next[most]!)) most = j;
    return most < 0 ? null : --end[most]!;
  };
  const lane = async (k: number) => {
    for (let i = take(k); i !== null; i = take(k)) settle[i]!(await detect(jobs[i]!, k));
  };
  for (let k = 0; k < lanes; k++) void lane(k);
  return done;
}
