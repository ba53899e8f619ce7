import type { FlowProducer, Job } from 'bullmq';
import { batchFlow, ingestBatch, openBatchSource, type BlobStore, type JobData } from '@shoutu/shared';
import { type JobLogger } from '@shoutu/shared/queue/index.js';

export interface IngestDeps {
  store: BlobStore;
  flows: FlowProducer;
  prefix: string;
  /** Tiles on a side of a run (DETECT_RUN_SIDE). */
  runSide: number;
}

/** ingest-batch: validate and register the batch, then hand its tiles to detect → alert as one flow. */
export async function handleIngestBatch(deps: IngestDeps, data: JobData<'ingest-batch'>, job: Job, log: JobLogger) {
  const result = await ingestBatch(deps.store, openBatchSource(deps.store, data.source), data.parameters);
  for (const r of result.rejected) log.warn({ batchId: result.batchId, file: r.name, error: r.error }, 'file rejected');
  for (const s of result.skyTestsNotRun) log.warn({ batchId: result.batchId, ...s }, 'spectral sky tests not run');
  for (const t of result.thresholdInBulk) log.warn({ batchId: result.batchId, ...t }, "Otsu's split lies in the bulk of the pair's scores (the threshold is the start of their tail): the pair may hold no distinct change");
  const runId = String(job.id);
  await deps.flows.add(batchFlow(result.batchId, runId, result.tiles, deps.prefix, deps.runSide));
  log.info({ batchId: result.batchId, scenes: result.scenes.length, rejected: result.rejected.length, tiles: result.tiles.length }, 'batch ingested');
  return { batchId: result.batchId, tiles: result.tiles.length, rejected: result.rejected.map((r) => r.name) };
}
