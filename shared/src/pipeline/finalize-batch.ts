import { readJsonAll, type BlobStore } from '../storage/index.js';
import type { Lattice } from '../grid/lattice.js';
import { keys } from '../catalog/keys.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { readBatchStatus, writeBatchStatus } from './batch-status.js';
import { maskVersionsOf, recordObservation, type TileOutcome } from './alert-tile.js';
import { resolveBatch } from '../tuban/resolve-batch.js';
import { PipelineParameters } from '../detection/parameters.js';
import { MaskCache } from './mask-store.js';
import type { DetectResult } from './detect-tile.js';
import { getScene } from '../catalog/scene-catalog.js';
import { openScenePair } from '../catalog/open-scene.js';
import { mergeTilePatches } from '../detection/merge-patches.js';
import { buildAlert, isAlertable } from '../alerts/alert-feature.js';
import type { AlertSink } from '../alerts/alert-sink.js';
import { writeRunRecord, type RunRecord } from '../run-record/run-record.js';
import type { PairCoverage } from './batch-status.js';
import { batchCoverage } from './coverage-map.js';
import { mapInOrder } from '../util/map-in-order.js';

export interface FinalizeResult {
  batchId: string;
  alerts: AlertFeature[];
  tilesDone: number;
  tilesFailed: Array<{ tileKey: string; reason: string }>;
  /** per scene pair, the ground examined (also in the batch status) */
  coverage: PairCoverage[];
  record: RunRecord;
}

/** The batch's detect results by scene pair (`scene|baseline`), pairs in id order, tiles in tile-key order. */
async function detectResultsByPair(store: BlobStore, batchId: string, kept: Map<string, Uint8Array>): Promise<Array<[string, DetectResult[]]>> {
  const byPair = new Map<string, DetectResult[]>();
  for (const result of await readJsonAll<DetectResult>(store, await store.list(`detect/${batchId}/`), kept)) {
    const pair = `${result.job.sceneId}|${result.job.baselineSceneId}`;
    const results = byPair.get(pair);
    if (results) results.push(result);
    else byPair.set(pair, [result]);
  }
  return [...byPair.keys()].sort().map((pair) => [pair, byPair.get(pair)!.sort((a, b) => (a.job.tileKey < b.job.tileKey ? -1 : 1))]);
}

/**
 * Joined patches observed at once: while one is rendered, the others' reads, PNG encodes (sharp's threads)
 * and writes proceed. Each holds its evidence pictures until written, so a few at a time bounds the memory.
 */
const JOINED_PATCHES_IN_FLIGHT = 4;

/**
 * Patches that reach tile edges, joined across the tiles of each scene pair (mergeTilePatches), become
 * observations here, named after the first tile they lie in. Returns their ids.
 */
async function observeJoinedPatches(store: BlobStore, batchId: string, byPair: Array<[string, DetectResult[]]>): Promise<string[]> {
  const ids: string[] = [];
  for (const [, results] of byPair) {
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
      const observed = await mapInOrder(merged, JOINED_PATCHES_IN_FLIGHT, (m) => {
        const tile = results[m.firstTile]!.job;
        const alert = buildAlert(m.patch, { batchId, gridId: tile.gridId, tileId: tile.tileId, before: beforeRecord, after: afterRecord, maskVersions: maskVersionsOf(tile.masks) });
        return recordObservation(store, alert, m.patch, afterRecord.placement.lattice, before, after);
      });
      ids.push(...observed);
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  }
  return ids;
}

/**
 * Close a batch: gather the tile outcomes, observe the patches joined across tiles, resolve all the batch's
 * observations into 图斑 (new, or new versions of earlier ones: tuban/resolve-batch.ts) and announce them,
 * write the batch's alerts.geojson (its 图斑 versions, by 图斑编号), update its status and write the run
 * record. Reads only storage, so it gives the same bytes whichever mode or worker ran the tiles.
 */
export async function finalizeBatch(store: BlobStore, batchId: string, sink: AlertSink, options: { masks?: MaskCache } = {}): Promise<FinalizeResult> {
  const status = await readBatchStatus(store, batchId);
  if (!status) throw new Error(`batch ${batchId}: no status record; was it ingested?`);
  // The bytes of the tile outcomes, detect results and observations read here, which the run record
  // digests: each is read once.
  const kept = new Map<string, Uint8Array>();
  const outcomes = await readJsonAll<TileOutcome>(store, await store.list(keys.batchTileResults(batchId)), kept);
  const byPair = await detectResultsByPair(store, batchId, kept);
  const joinedIds = await observeJoinedPatches(store, batchId, byPair);
  // every tile of a pair is on the pair's scene's lattice
  const lattices = new Map<string, Lattice>();
  for (const [, results] of byPair) lattices.set(results[0]!.job.sceneId, (await getScene(store, results[0]!.job.sceneId)).placement.lattice);
  const { pairs: coverage, features } = batchCoverage(byPair, (r) => lattices.get(r.job.sceneId)!);
  if (features.length > 0) await store.put(keys.batchCoverage(batchId), stableJson({ type: 'FeatureCollection', features }), { contentType: 'application/geo+json' });
  const observationIds = [...new Set([...outcomes.flatMap((o) => o.observationIds), ...joinedIds])].sort();
  const parameters = PipelineParameters.parse(status.parameters ?? {});
  const alerts = await resolveBatch(store, batchId, observationIds, sink, {
    parameters: { regrowthFactor: parameters.regrowthFactor, approvalCover: parameters.approvalCover },
    approvals: status.approvals ?? null,
    masks: options.masks ?? new MaskCache(),
    kept,
  });
  await store.put(keys.batchAlerts(batchId), stableJson({ type: 'FeatureCollection', features: alerts }), { contentType: 'application/geo+json' });

  const tilesFailed = outcomes.filter((o) => o.status === 'failed').map((o) => ({ tileKey: o.tileKey, reason: o.reason ?? 'unknown' }));
  const tilesDone = outcomes.length - tilesFailed.length;
  await writeBatchStatus(store, {
    ...status,
    state: status.state === 'baseline' ? 'baseline' : 'done',
    tiles: { planned: status.tiles?.planned ?? outcomes.length, done: tilesDone, failed: tilesFailed },
    alerts: alerts.length,
    ...(coverage.length > 0 ? { coverage } : {}),
  });
  const record = await writeRunRecord(store, batchId, alerts, kept);
  return { batchId, alerts, tilesDone, tilesFailed, coverage, record };
}
