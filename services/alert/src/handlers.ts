import type { Job } from 'bullmq';
import { alertTileRun, finalizeBatch, runFailures, type AlertSink, type BlobStore, type JobData, type OpenSceneCache } from '@shoutu/shared';
import { isLastAttempt, type JobLogger } from '@shoutu/shared/queue/index.js';

export interface AlertDeps {
  store: BlobStore;
  sink: AlertSink;
  /** Scenes kept open between tiles (the evidence windows of neighbouring tiles cut the same blocks). */
  scenes?: OpenSceneCache;
}

/**
 * alert-tiles: observations and evidence for each tile of a detect run; the tiles the run could not detect
 * (or all of them, when the run itself failed) are recorded failed with its reason, not retried, and so
 * is a tile whose own alert step fails on the job's last attempt.
 */
export async function handleAlertTiles(deps: AlertDeps, data: JobData<'alert-tiles'>, job: Job, log: JobLogger) {
  const failures = runFailures(await job.getIgnoredChildrenFailures(), await job.getChildrenValues());
  const outcomes = await alertTileRun(deps.store, data.batchId, data.tileKeys, failures, deps.scenes, { lastAttempt: isLastAttempt(job) });
  let observations = 0;
  for (const outcome of outcomes) {
    observations += outcome.observationIds.length;
    if (outcome.status === 'failed') log.warn({ batchId: data.batchId, tileId: outcome.tileKey, reason: outcome.reason }, 'tile failed');
  }
  log.info({ batchId: data.batchId, tiles: outcomes.length, observations }, 'tile observations written');
  return { tiles: outcomes.length, observations, failed: outcomes.filter((o) => o.status === 'failed').length };
}

/** finalize-batch: the batch's 图斑 (numbered, matched to earlier epochs, announced), alerts.geojson, status and run record. */
export async function handleFinalizeBatch(deps: AlertDeps, data: JobData<'finalize-batch'>, log: JobLogger) {
  const result = await finalizeBatch(deps.store, data.batchId, deps.sink);
  log.info({ batchId: data.batchId, alerts: result.alerts.length, tilesFailed: result.tilesFailed.length }, 'batch finalized');
  return { alerts: result.alerts.length, tilesDone: result.tilesDone, tilesFailed: result.tilesFailed.length };
}
