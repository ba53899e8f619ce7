import type { BlobStore } from '../storage/index.js';
import type { AlertTileJob } from '../schemas/jobs.js';
import { keys } from '../catalog/keys.js';
import { getScene } from '../catalog/scene-catalog.js';
import { openScenePair } from '../catalog/open-scene.js';
import { buildAlert, isAlertable, type AlertFeature } from '../alerts/alert-feature.js';
import { renderEvidence } from '../alerts/evidence.js';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { MaskLayerName } from '../detection/parameters.js';
import { stableJson } from '../util/stable-json.js';
import type { DetectResult } from './detect-tile.js';

/** What the alert stage records per tile; finalize assembles the batch from these. */
export interface TileOutcome {
  tileKey: string;
  status: 'done' | 'failed';
  patches: number;
  alertIds: string[];
  reason?: string;
}

/**
 * Turn one tile's patches into 图斑 alerts with evidence. Idempotent: alert ids are deterministic,
 * evidence is written once, the alert object is rewritten with identical bytes, and the sink announces
 * each id once. A tile whose detect result is missing (detect failed) is recorded as failed.
 */
export async function alertTile(store: BlobStore, sink: AlertSink, job: AlertTileJob, failure?: string): Promise<TileOutcome> {
  const stored = await store.getOrNull(keys.detectResult(job.batchId, job.tileKey));
  if (!stored) {
    const outcome: TileOutcome = { tileKey: job.tileKey, status: 'failed', patches: 0, alertIds: [], reason: failure ?? 'detect result missing' };
    await store.put(keys.batchTileResult(job.batchId, job.tileKey), stableJson(outcome));
    return outcome;
  }
  const detect = JSON.parse(Buffer.from(stored).toString('utf8')) as DetectResult;
  const { job: tile } = detect;
  const alertable = detect.patches.filter((p) => isAlertable(p, tile.parameters.alertOn));
  const alertIds: string[] = [];
  if (alertable.length > 0) {
    const [beforeRecord, afterRecord] = await Promise.all([getScene(store, tile.baselineSceneId), getScene(store, tile.sceneId)]);
    const maskVersions: Partial<Record<MaskLayerName, string>> = {};
    for (const m of tile.masks) maskVersions[m.layer] = m.sha256;
    const [before, after] = await openScenePair(store, beforeRecord, afterRecord);
    try {
      for (const patch of alertable) {
        const alert: AlertFeature = buildAlert(patch, { batchId: tile.batchId, gridId: tile.gridId, tileId: tile.tileId, before: beforeRecord, after: afterRecord, maskVersions });
        const chips = await renderEvidence(patch, before, after);
        await store.putIfAbsent(alert.properties.evidence.before, chips.before, { contentType: 'image/png' });
        await store.putIfAbsent(alert.properties.evidence.after, chips.after, { contentType: 'image/png' });
        await store.put(keys.alert(alert.id), stableJson(alert), { contentType: 'application/geo+json' });
        await sink.publish(alert);
        alertIds.push(alert.id);
      }
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  }
  const outcome: TileOutcome = { tileKey: job.tileKey, status: 'done', patches: detect.patches.length, alertIds: [...new Set(alertIds)].sort() };
  await store.put(keys.batchTileResult(job.batchId, job.tileKey), stableJson(outcome));
  return outcome;
}
