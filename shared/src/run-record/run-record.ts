import { z } from 'zod';
import { readJsonAll, type BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { getScene } from '../catalog/scene-catalog.js';
import { getArea } from '../catalog/area-store.js';
import type { SceneRecord } from '../catalog/scene-record.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import { DETECTOR_VERSION, PipelineParameters } from '../detection/parameters.js';
import { MaskRef } from '../schemas/jobs.js';
import { RegionCode } from '../schemas/manifest.js';
import { SHOUTU_VERSION } from '../version.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import type { ResolutionRecord } from '../tuban/resolve-batch.js';
import type { ObservationRecord } from '../tuban/tuban-record.js';
import { readBatchStatus } from '../pipeline/batch-status.js';
import { approvalRefs } from '../approvals/approval-store.js';
import type { DetectResult } from '../pipeline/detect-tile.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import { digest, digestByRanges } from './digest.js';

const Digest = z.object({ key: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * What an auditor needs to replay a batch: every input with its SHA-256, the parameters, the code and
 * mask versions, and the SHA-256 of every output. Deterministic: no clock, no host names.
 */
export const RunRecord = z.object({
  schema: z.literal('shoutu.run/1'),
  batchId: z.string(),
  code: z.object({ name: z.literal('shoutu'), version: z.string(), detector: z.string() }),
  parameters: PipelineParameters,
  masks: z.array(MaskRef),
  /** Batches whose scenes served as baselines (their manifests and scenes are inputs too). */
  baselineBatches: z.array(z.string()),
  /**
   * `area`: the region's analysis grid (areas/<regionCode>.json), recorded when a scene was resampled onto
   * it or it was declared, so a replay puts every scene on the same grid.
   */
  inputs: z.array(
    Digest.extend({
      role: z.enum(['manifest', 'scene', 'rejected-file', 'baseline-manifest', 'baseline-scene', 'mask', 'resolution', 'prior-tuban', 'approvals', 'area']),
      /** `approvals`: the region whose layer it was when the batch was ingested (absent: deployment-wide). */
      region: RegionCode.optional(),
    }),
  ),
  outputs: z.array(Digest),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** The operator's files of a scene (its original and cloud mask file, not what they were resampled to). */
function originalFiles(scene: SceneRecord): Array<{ key: string; sha256: string }> {
  const mask = scene.source ? scene.source.cloudMaskFile : scene.validity?.cloudMask?.file;
  return [scene.source?.file ?? scene.file, ...(mask ? [mask] : [])];
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The batch's observations with their evidence, its resolution record and the 图斑 versions it wrote (all
 * write-once: the current view alerts/<id>.json moves on with later epochs, so it is not an output).
 */
async function resolutionOutputs(store: BlobStore, batchId: string, alerts: AlertFeature[], kept: Map<string, Uint8Array>): Promise<string[]> {
  const bytes = await store.getOrNull(keys.batchResolution(batchId));
  if (!bytes) return [];
  const resolution = JSON.parse(Buffer.from(bytes).toString('utf8')) as ResolutionRecord;
  const out = [keys.batchResolution(batchId), ...resolution.versions.map((v) => v.key)];
  const observations = await readJsonAll<ObservationRecord>(store, resolution.observations.map(({ key }) => key), kept);
  resolution.observations.forEach(({ key }, i) => out.push(key, ...Object.values(observations[i]!.feature.properties.evidence)));
  if (alerts.length !== resolution.versions.length) throw new Error(`batch ${batchId}: ${alerts.length} 图斑 versions announced but ${resolution.versions.length} recorded`);
  return out;
}

/**
 * Builds the record from what the batch stored, writes it to runs/<batch>.json and returns it. `kept`: the
 * stored bytes of outputs the caller has read (finalisation: tile outcomes, detect results, observations),
 * by key; they are parsed and digested from there instead of being read again.
 */
export async function writeRunRecord(store: BlobStore, batchId: string, alerts: AlertFeature[], kept = new Map<string, Uint8Array>()): Promise<RunRecord> {
  const status = await readBatchStatus(store, batchId);
  if (!status) throw new Error(`batch ${batchId}: no status record`);
  const inputs: RunRecord['inputs'] = [{ role: 'manifest', ...(await digest(store, keys.batchManifest(batchId))) }];
  /** Scenes resampled by this batch: their files are outputs, checked on replay like the alerts. */
  const resampled: string[] = [];
  let needsArea = false;
  let regionCode: string | null = null;
  for (const f of status.files) {
    if (f.status === 'rejected') {
      const bytes = await store.getOrNull(keys.batchRejectedFile(batchId, f.name));
      if (bytes) inputs.push({ role: 'rejected-file', key: keys.batchRejectedFile(batchId, f.name), sha256: sha256Hex(bytes) });
      continue;
    }
    if (!f.sceneId) continue;
    const scene = await getScene(store, f.sceneId);
    regionCode = scene.regionCode;
    for (const file of originalFiles(scene)) inputs.push({ role: 'scene', key: file.key, sha256: file.sha256 });
    if (scene.source) {
      needsArea = true;
      resampled.push(scene.file.key, ...(scene.validity?.cloudMask?.file ? [scene.validity.cloudMask.file.key] : []));
    }
  }
  const detectKeys = await store.list(`detect/${batchId}/`);
  // Detect results and observations are parsed here and digested below, from the same bytes.
  const results = await readJsonAll<DetectResult>(store, detectKeys, kept);
  const baselineScenes = new Set(results.map((r) => r.job.baselineSceneId));
  const baselineBatches = new Set<string>();
  for (const sceneId of [...baselineScenes].sort()) {
    const scene = await getScene(store, sceneId);
    baselineBatches.add(scene.batchId);
    for (const file of originalFiles(scene)) inputs.push({ role: 'baseline-scene', key: file.key, sha256: file.sha256 });
    if (scene.source) needsArea = true;
  }
  for (const b of [...baselineBatches].sort()) inputs.push({ role: 'baseline-manifest', ...(await digest(store, keys.batchManifest(b))) });
  const masks = status.masks ?? [];
  // one input per version: the same bytes may be pinned deployment-wide and for a region
  for (const m of masks.filter((m, i) => masks.findIndex((o) => o.key === m.key) === i)) inputs.push({ role: 'mask', key: m.key, sha256: m.sha256 });
  // The approval layers pinned at ingest, with the region each was the layer of (a replay pins them again).
  for (const a of approvalRefs(status.approvals)) inputs.push({ role: 'approvals', key: a.key, sha256: a.sha256, ...(a.region ? { region: a.region } : {}) });
  // What the batch's 图斑 were resolved against: earlier 图斑 versions, approvals, and the resolution record
  // (which holds the case states and sequence numbers it read); a replay resolves again from these.
  const resolutionBytes = await store.getOrNull(keys.batchResolution(batchId));
  if (resolutionBytes) {
    const resolution = JSON.parse(Buffer.from(resolutionBytes).toString('utf8')) as ResolutionRecord;
    inputs.push({ role: 'resolution', key: keys.batchResolution(batchId), sha256: sha256Hex(resolutionBytes) });
    for (const p of resolution.prior) inputs.push({ role: 'prior-tuban', ...p });
  }
  // A grid fixed by a region's first scene is fixed again by the same scenes on replay; a declared grid,
  // or one other scenes were resampled onto, travels with the record.
  const area = regionCode === null ? null : await getArea(store, regionCode);
  if (area !== null && (needsArea || area.fixedBy.how === 'declared')) inputs.push({ role: 'area', ...(await digest(store, keys.area(area.regionCode))) });

  const smallOutputs = [
    keys.batchAlerts(batchId),
    keys.batchStatus(batchId),
    // the coverage map, when the batch compared tiles
    ...((await store.exists(keys.batchCoverage(batchId))) ? [keys.batchCoverage(batchId)] : []),
    ...detectKeys,
    ...(await store.list(keys.batchTileResults(batchId))),
    ...(await resolutionOutputs(store, batchId, alerts, kept)),
  ];
  // Small objects many at a time; resampled scenes one at a time, by ranges.
  const large = new Set(resampled);
  const small = [...new Set(smallOutputs)].filter((key) => !large.has(key));
  const outputs = [
    ...(await mapInOrder(small, STORE_REQUESTS_IN_FLIGHT, (key) => digest(store, key, kept.get(key)))),
    ...(await mapInOrder([...large], 1, (key) => digestByRanges(store, key))),
  ].sort(byKey);

  const record: RunRecord = {
    schema: 'shoutu.run/1',
    batchId,
    code: { name: 'shoutu', version: SHOUTU_VERSION, detector: DETECTOR_VERSION },
    parameters: PipelineParameters.parse(status.parameters ?? {}),
    masks,
    baselineBatches: [...baselineBatches].sort(),
    inputs: inputs.sort(byKey),
    outputs,
  };
  await store.put(keys.runRecord(batchId), stableJson(record, 2), { contentType: 'application/json' });
  return record;
}
