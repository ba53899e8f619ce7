import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { readBatchStatus, writeBatchStatus } from './batch-status.js';
import { maskVersionsOf, publishAlert, type TileOutcome } from './alert-tile.js';
import type { DetectResult } from './detect-tile.js';
import { getScene } from '../catalog/scene-catalog.js';
import { openScenePair } from '../catalog/open-scene.js';
import { mergeTilePatches } from '../detection/merge-patches.js';
import { buildAlert, isAlertable } from '../alerts/alert-feature.js';
import type { AlertSink } from '../alerts/alert-sink.js';
import { writeRunRecord, type RunRecord } from '../run-record/run-record.js';

export interface FinalizeResult {
  batchId: string;
  alerts: AlertFeature[];
  tilesDone: number;
  tilesFailed: Array<{ tileKey: string; reason: string }>;
  record: RunRecord;
}

/**
 * Patches that reach tile edges, joined across the tiles of each scene pair (mergeTilePatches), become
 * alerts here, named after the first tile they lie in. Returns their ids.
 */
async function alertJoinedPatches(store: BlobStore, sink: AlertSink, batchId: string): Promise<string[]> {
  const byPair = new Map<string, DetectResult[]>();
  for (const key of await store.list(`detect/${batchId}/`)) {
    const result = JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as DetectResult;
    const pair = `${result.job.sceneId}|${result.job.baselineSceneId}`;
    byPair.set(pair, [...(byPair.get(pair) ?? []), result]);
  }
  const ids: string[] = [];
  for (const pair of [...byPair.keys()].sort()) {
    const results = byPair.get(pair)!.sort((a, b) => (a.job.tileKey < b.job.tileKey ? -1 : 1));
    const { job } = results[0]!;
    const [beforeRecord, afterRecord] = await Promise.all([getScene(store, job.baselineSceneId), getScene(store, job.sceneId)]);
    const merged = mergeTilePatches(
      afterRecord.placement.lattice,
      results.map((r) => ({ window: r.job.window, patches: r.patches, edges: r.edges })),
      job.parameters.minAreaM2,
    ).filter((m) => isAlertable(m.patch, job.parameters.alertOn));
    if (merged.length === 0) continue;
    const [before, after] = await openScenePair(store, beforeRecord, afterRecord);
    try {
      for (const m of merged) {
        const tile = results[m.firstTile]!.job;
        const alert = buildAlert(m.patch, { batchId, gridId: tile.gridId, tileId: tile.tileId, before: beforeRecord, after: afterRecord, maskVersions: maskVersionsOf(tile.masks) });
        ids.push(await publishAlert(store, sink, alert, m.patch, before, after));
      }
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  }
  return ids;
}

/**
 * Close a batch: gather the tile outcomes, alert the patches joined across tiles, write the batch's alerts.geojson (alerts sorted by 图斑编号),
 * update its status and write the run record. Reads only storage, so it gives the same bytes whichever
 * mode or worker ran the tiles.
 */
export async function finalizeBatch(store: BlobStore, batchId: string, sink: AlertSink): Promise<FinalizeResult> {
  const status = await readBatchStatus(store, batchId);
  if (!status) throw new Error(`batch ${batchId}: no status record; was it ingested?`);
  const outcomes: TileOutcome[] = [];
  for (const key of await store.list(keys.batchTileResults(batchId))) {
    outcomes.push(JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as TileOutcome);
  }
  const joinedIds = await alertJoinedPatches(store, sink, batchId);
  const ids = [...new Set([...outcomes.flatMap((o) => o.alertIds), ...joinedIds])].sort();
  const alerts: AlertFeature[] = [];
  for (const id of ids) alerts.push(JSON.parse(Buffer.from(await store.get(keys.alert(id))).toString('utf8')) as AlertFeature);
  await store.put(keys.batchAlerts(batchId), stableJson({ type: 'FeatureCollection', features: alerts }), { contentType: 'application/geo+json' });

  const tilesFailed = outcomes.filter((o) => o.status === 'failed').map((o) => ({ tileKey: o.tileKey, reason: o.reason ?? 'unknown' }));
  const tilesDone = outcomes.length - tilesFailed.length;
  await writeBatchStatus(store, {
    ...status,
    state: status.state === 'baseline' ? 'baseline' : 'done',
    tiles: { planned: status.tiles?.planned ?? outcomes.length, done: tilesDone, failed: tilesFailed },
    alerts: alerts.length,
  });
  const record = await writeRunRecord(store, batchId, alerts);
  return { batchId, alerts, tilesDone, tilesFailed, record };
}
