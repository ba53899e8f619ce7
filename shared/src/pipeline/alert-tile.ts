import type { BlobStore } from '../storage/index.js';
import type { AlertTileJob, MaskRef } from '../schemas/jobs.js';
import type { Patch } from '../detection/extract-patches.js';
import { keys } from '../catalog/keys.js';
import { getScene, type SceneLookup } from '../catalog/scene-catalog.js';
import type { OpenScene } from '../catalog/open-scene.js';
import { withScenePair, type OpenSceneCache } from '../catalog/scene-cache.js';
import { buildAlert, isAlertable, type AlertFeature } from '../alerts/alert-feature.js';
import { writeEvidence } from '../alerts/write-evidence.js';
import type { Lattice } from '../grid/lattice.js';
import { writeObservation } from '../tuban/tuban-store.js';
import { MASK_LAYERS } from '../detection/parameters.js';
import type { MaskVersions } from '../alerts/alert-feature.js';
import { stableJson } from '../util/stable-json.js';
import type { DetectResult } from './detect-tile.js';

/** The pinned versions of each kind: a single one as its sha256 (as before regional layers), several as a list. */
export function maskVersionsOf(masks: readonly MaskRef[]): MaskVersions {
  const versions: MaskVersions = {};
  for (const layer of MASK_LAYERS) {
    const shas = masks.filter((m) => m.layer === layer).map((m) => m.sha256);
    if (shas.length > 0) versions[layer] = shas.length === 1 ? shas[0]! : shas;
  }
  return versions;
}

/**
 * An observation of a patch: its evidence (written once), then the observation record (identical bytes on
 * re-runs). Which 图斑 it belongs to, and whether anyone is told, is decided when the batch is finalised.
 */
export async function recordObservation(store: BlobStore, alert: AlertFeature, patch: Patch, lattice: Lattice, before: OpenScene, after: OpenScene): Promise<string> {
  await writeEvidence(store, alert, patch, before, after);
  await writeObservation(store, { schema: 'shoutu.observation/1', id: alert.id, lattice, shape: { outline: patch.outline, pixelBbox: patch.pixelBbox }, pixelCount: patch.pixelCount, feature: alert });
  return alert.id;
}

/** What the alert stage records per tile; finalize assembles the batch from these. */
export interface TileOutcome {
  tileKey: string;
  status: 'done' | 'failed';
  patches: number;
  observationIds: string[];
  reason?: string;
}

/** Records a tile of the batch as failed, with the reason (finalize counts it in the batch's failed tiles). */
export async function recordTileFailure(store: BlobStore, job: AlertTileJob, reason: string): Promise<TileOutcome> {
  const outcome: TileOutcome = { tileKey: job.tileKey, status: 'failed', patches: 0, observationIds: [], reason };
  await store.put(keys.batchTileResult(job.batchId, job.tileKey), stableJson(outcome));
  return outcome;
}

/**
 * Turn one tile's patches into observations with evidence. Idempotent: observation ids are deterministic,
 * evidence is written once and the observation rewritten with identical bytes. A tile whose detect result
 * is missing (detect failed) is recorded as failed. `detected`: the detect result's stored JSON, when the
 * caller has it (it just wrote it), else it is read from storage.
 */
export async function alertTile(
  store: BlobStore,
  job: AlertTileJob,
  failure?: string,
  scenes?: OpenSceneCache,
  sceneOf: SceneLookup = (id) => getScene(store, id),
  detected?: string,
): Promise<TileOutcome> {
  const stored = detected ?? (await store.getOrNull(keys.detectResult(job.batchId, job.tileKey)));
  if (!stored) return recordTileFailure(store, job, failure ?? 'detect result missing');
  const detect = JSON.parse(typeof stored === 'string' ? stored : Buffer.from(stored).toString('utf8')) as DetectResult;
  const { job: tile } = detect;
  // Patches reaching the tile's edge are joined across tiles and alerted by finalizeBatch.
  const alertable = detect.patches.filter((p) => !p.touchesEdge && isAlertable(p, tile.parameters.alertOn));
  const alertIds: string[] = [];
  if (alertable.length > 0) {
    const [beforeRecord, afterRecord] = await Promise.all([sceneOf(tile.baselineSceneId), sceneOf(tile.sceneId)]);
    // Kept open (scenes), the blocks the evidence windows cut serve the next patches' and tiles' windows.
    await withScenePair(store, beforeRecord, afterRecord, scenes, async (before, after) => {
      for (const patch of alertable) {
        const alert = buildAlert(patch, { batchId: tile.batchId, gridId: tile.gridId, tileId: tile.tileId, before: beforeRecord, after: afterRecord, maskVersions: maskVersionsOf(tile.masks) });
        alertIds.push(await recordObservation(store, alert, patch, afterRecord.placement.lattice, before, after));
      }
    });
  }
  const outcome: TileOutcome = { tileKey: job.tileKey, status: 'done', patches: detect.patches.length, observationIds: [...new Set(alertIds)].sort() };
  await store.put(keys.batchTileResult(job.batchId, job.tileKey), stableJson(outcome));
  return outcome;
}
