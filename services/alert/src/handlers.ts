import type { Job } from 'bullmq';
import { alertTile, finalizeBatch, type AlertSink, type BlobStore, type JobData, type OpenSceneCache } from '@shoutu/shared';
import { type JobLogger } from '@shoutu/shared/queue/index.js';

export interface AlertDeps {
  store: BlobStore;
  sink: AlertSink;
  /** Scenes kept open between tiles (the evidence windows of neighbouring tiles cut the same blocks). */
  scenes?: OpenSceneCache;
}

/** alert-tile: observations and evidence for one tile; a failed detect child is recorded, not retried. */
export async function handleAlertTile(deps: AlertDeps, data: JobData<'alert-tile'>, job: Job, log: JobLogger) {
  const failures = await job.getIgnoredChildrenFailures();
  const reasons = Object.values(failures);
  const outcome = await alertTile(deps.store, data, reasons.length > 0 ? reasons.join('; ') : undefined, deps.scenes);
  if (outcome.status === 'failed') log.warn({ batchId: data.batchId, tileId: data.tileKey, reason: outcome.reason }, 'tile failed');
  else log.info({ batchId: data.batchId, tileId: data.tileKey, observations: outcome.observationIds.length }, 'tile observations written');
  return { observations: outcome.observationIds.length, status: outcome.status };
}

/** finalize-batch: the batch's 图斑 (numbered, matched to earlier epochs, announced), alerts.geojson, status and run record. */
export async function handleFinalizeBatch(deps: AlertDeps, data: JobData<'finalize-batch'>, log: JobLogger) {
  const result = await finalizeBatch(deps.store, data.batchId, deps.sink);
  log.info({ batchId: data.batchId, alerts: result.alerts.length, tilesFailed: result.tilesFailed.length }, 'batch finalized');
  return { alerts: result.alerts.length, tilesDone: result.tilesDone, tilesFailed: result.tilesFailed.length };
}
