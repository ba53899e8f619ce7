import type { BlobStore } from '../storage/index.js';
import type { PipelineParameters } from '../detection/parameters.js';
import { storageOnlySink, type AlertSink } from '../alerts/alert-sink.js';
import type { BatchSource } from './batch-source.js';
import { ingestBatch, type IngestResult } from './ingest-batch.js';
import { detectTile } from './detect-tile.js';
import { alertTile, type TileOutcome } from './alert-tile.js';
import { finalizeBatch, type FinalizeResult } from './finalize-batch.js';
import { MaskCache } from './mask-store.js';

export interface RunProgress {
  /** Called once ingest has planned the tiles. */
  planned?(tiles: number): void;
  /** Called after each tile's alerts are written. */
  tileDone?(outcome: TileOutcome): void;
}

export interface RunBatchResult {
  ingest: IngestResult;
  finalize: FinalizeResult;
}

/**
 * Embedded mode: the three stages in one process, in a fixed order, on one store. The queue services
 * call the same stage functions, one job at a time.
 */
export async function runBatch(
  store: BlobStore,
  source: BatchSource,
  parameters: PipelineParameters,
  options: { sink?: AlertSink; progress?: RunProgress; masks?: MaskCache } = {},
): Promise<RunBatchResult> {
  const sink = options.sink ?? storageOnlySink;
  const masks = options.masks ?? new MaskCache();
  const ingest = await ingestBatch(store, source, parameters);
  options.progress?.planned?.(ingest.tiles.length);
  for (const job of ingest.tiles) {
    let failure: string | undefined;
    try {
      await detectTile(store, job, masks);
    } catch (error) {
      // One bad tile must not stop the batch; it is recorded as failed, like a failed job in queue mode.
      failure = `${(error as Error).name}: ${(error as Error).message}`;
    }
    const outcome = await alertTile(store, sink, { batchId: job.batchId, tileKey: job.tileKey }, failure);
    options.progress?.tileDone?.(outcome);
  }
  const finalize = await finalizeBatch(store, ingest.batchId, sink);
  return { ingest, finalize };
}
