import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { readBatchStatus, writeBatchStatus } from './batch-status.js';
import type { TileOutcome } from './alert-tile.js';
import { writeRunRecord, type RunRecord } from '../run-record/run-record.js';

export interface FinalizeResult {
  batchId: string;
  alerts: AlertFeature[];
  tilesDone: number;
  tilesFailed: Array<{ tileKey: string; reason: string }>;
  record: RunRecord;
}

/**
 * Close a batch: gather the tile outcomes, write the batch's alerts.geojson (alerts sorted by 图斑编号),
 * update its status and write the run record. Reads only storage, so it gives the same bytes whichever
 * mode or worker ran the tiles.
 */
export async function finalizeBatch(store: BlobStore, batchId: string): Promise<FinalizeResult> {
  const status = await readBatchStatus(store, batchId);
  if (!status) throw new Error(`batch ${batchId}: no status record; was it ingested?`);
  const outcomes: TileOutcome[] = [];
  for (const key of await store.list(keys.batchTileResults(batchId))) {
    outcomes.push(JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as TileOutcome);
  }
  const ids = [...new Set(outcomes.flatMap((o) => o.alertIds))].sort();
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
