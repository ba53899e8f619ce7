/**
 * Resolving a batch's observations into 图斑 in storage. The decision (resolve-tuban.ts) is pure; this
 * gathers its inputs, records them with the batch (`batches/<id>/resolution.json`, written once before any
 * version), then writes the versions and announces them. A re-run of a finalisation — after a crash, or a
 * replay — takes the recorded inputs and so reproduces exactly the same versions, which are write-once.
 */
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { readCase } from '../cases/case-store.js';
import { loadApprovals, type ApprovalRef } from '../approvals/approval-store.js';
import type { MaskCache } from '../pipeline/mask-store.js';
import type { MaskLayer } from '../masks/index.js';
import { MASK_LAYERS } from '../detection/parameters.js';
import { resolveTuban, type CaseSnapshot, type ResolveParameters } from './resolve-tuban.js';
import { latestVersionNumbers, readObservation, readTubanVersion } from './tuban-store.js';
import { numberingPeriod, parseTubanNumber } from './tuban-number.js';
import { bboxesNear } from './lattice-footprint.js';
import type { ObservationRecord, TubanVersion } from './tuban-record.js';

/** Everything the resolution of a batch read, and what it wrote. */
export interface ResolutionRecord {
  schema: 'shoutu.resolution/1';
  batchId: string;
  parameters: ResolveParameters;
  observations: { key: string; sha256: string }[];
  /** Latest versions of the existing 图斑 near the observations. */
  prior: { key: string; sha256: string }[];
  cases: Record<string, CaseSnapshot>;
  lastSequence: Record<string, number>;
  approvals: ApprovalRef | null;
  versions: { key: string; sha256: string }[];
}

export class ResolutionConflictError extends Error {
  constructor(key: string) {
    super(`${key} was written by another finalisation at the same time; retry this batch's finalisation`);
    this.name = 'ResolutionConflictError';
  }
}

export interface ResolveBatchOptions {
  parameters: ResolveParameters;
  approvals: ApprovalRef | null;
  masks: MaskCache;
}

const decode = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;

export async function resolveBatch(store: BlobStore, batchId: string, observationIds: readonly string[], sink: AlertSink, options: ResolveBatchOptions): Promise<AlertFeature[]> {
  const recordKey = keys.batchResolution(batchId);
  let recorded = await store.getOrNull(recordKey);
  let versions: TubanVersion[];
  let record: ResolutionRecord;
  if (recorded) {
    record = decode<ResolutionRecord>(recorded);
    versions = await replayResolution(store, record, options.masks);
  } else {
    ({ record, versions } = await freshResolution(store, batchId, observationIds, options));
    if (!(await store.putIfAbsent(recordKey, stableJson(record, 2), { contentType: 'application/json' }))) {
      // Another run of the same finalisation committed first: follow its record.
      recorded = await store.get(recordKey);
      record = decode<ResolutionRecord>(recorded);
      versions = await replayResolution(store, record, options.masks);
    }
  }
  const features: AlertFeature[] = [];
  // Listed once: a version newer than this batch's (a late re-run) keeps the current view.
  const newest = await latestVersionNumbers(store, new Set(versions.map((v) => v.tubanId.slice(0, 6))));
  for (const version of versions) {
    const key = keys.tubanVersion(version.tubanId, version.version);
    const bytes = stableJson(version);
    if (!(await store.putIfAbsent(key, bytes, { contentType: 'application/json' }))) {
      const existing = await store.get(key);
      if (sha256Hex(existing) !== sha256Hex(bytes)) throw new ResolutionConflictError(key);
    }
    // The current view follows the newest version only (a late re-run must not roll it back).
    if ((newest.get(version.tubanId) ?? 0) <= version.version) await store.put(keys.alert(version.tubanId), stableJson(version.feature), { contentType: 'application/geo+json' });
    await sink.publish(version.feature);
    features.push(version.feature);
  }
  return features;
}

async function loadMasks(store: BlobStore, observations: readonly ObservationRecord[], cache: MaskCache): Promise<Map<string, MaskLayer>> {
  const masks = new Map<string, MaskLayer>();
  for (const obs of observations) {
    for (const layer of MASK_LAYERS) {
      const sha = obs.feature.properties.maskVersions[layer];
      if (sha && !masks.has(sha)) masks.set(sha, await cache.load(store, { layer, sha256: sha, key: keys.maskVersion(layer, sha) }));
    }
  }
  return masks;
}

async function freshResolution(store: BlobStore, batchId: string, observationIds: readonly string[], options: ResolveBatchOptions): Promise<{ record: ResolutionRecord; versions: TubanVersion[] }> {
  const observations: ObservationRecord[] = [];
  const observationDigests: ResolutionRecord['observations'] = [];
  for (const id of [...observationIds].sort()) {
    const key = keys.observation(id);
    const bytes = await store.get(key);
    observations.push(decode<ObservationRecord>(bytes));
    observationDigests.push({ key, sha256: sha256Hex(bytes) });
  }
  const regions = new Set(observations.map((o) => o.feature.properties.regionCode));
  const latest = await latestVersionNumbers(store, regions);

  // Sequence numbers already issued in the periods this batch numbers in.
  const periods = new Set(observations.map((o) => numberingPeriod(o.feature.properties.regionCode, o.feature.properties.afterDate)));
  const lastSequence: Record<string, number> = {};
  for (const id of [...latest.keys()].sort()) {
    const parsed = parseTubanNumber(id);
    if (parsed && periods.has(parsed.period)) lastSequence[parsed.period] = Math.max(lastSequence[parsed.period] ?? 0, parsed.sequence);
  }

  // The latest version of every 图斑 an observation could continue (same lattice, bboxes within a pixel).
  const prior: { version: TubanVersion; case: CaseSnapshot | null }[] = [];
  const priorDigests: ResolutionRecord['prior'] = [];
  const cases: Record<string, CaseSnapshot> = {};
  for (const [id, n] of [...latest.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const { key, bytes, record: version } = await readTubanVersion(store, id, n);
    const near = observations.some((o) => o.lattice.gridId === version.lattice.gridId && o.feature.properties.regionCode === version.feature.properties.regionCode && bboxesNear(o.shape.pixelBbox, version.shape.pixelBbox));
    if (!near) continue;
    const snapshot = await caseSnapshot(store, id);
    if (snapshot) cases[id] = snapshot;
    prior.push({ version, case: snapshot });
    priorDigests.push({ key, sha256: sha256Hex(bytes) });
  }
  const approvals = options.approvals ? await loadApprovals(store, options.approvals) : null;
  const versions = resolveTuban({ batchId, observations, prior, lastSequence, approvals, masks: await loadMasks(store, observations, options.masks), parameters: options.parameters });
  const record: ResolutionRecord = {
    schema: 'shoutu.resolution/1',
    batchId,
    parameters: options.parameters,
    observations: observationDigests,
    prior: priorDigests,
    cases,
    lastSequence,
    approvals: options.approvals,
    versions: versions.map((v) => ({ key: keys.tubanVersion(v.tubanId, v.version), sha256: sha256Hex(stableJson(v)) })),
  };
  return { record, versions };
}

/** The versions a recorded resolution makes, recomputed from its recorded inputs (checked by SHA-256). */
export async function replayResolution(store: BlobStore, record: ResolutionRecord, cache: MaskCache): Promise<TubanVersion[]> {
  const checked = async ({ key, sha256 }: { key: string; sha256: string }) => {
    const bytes = await store.get(key);
    if (sha256Hex(bytes) !== sha256) throw new Error(`${key}: content does not match the SHA-256 recorded in ${keys.batchResolution(record.batchId)}`);
    return bytes;
  };
  const observations = await Promise.all(record.observations.map(async (d) => decode<ObservationRecord>(await checked(d))));
  const prior = await Promise.all(
    record.prior.map(async (d) => {
      const version = decode<TubanVersion>(await checked(d));
      return { version, case: record.cases[version.tubanId] ?? null };
    }),
  );
  const approvals = record.approvals ? await loadApprovals(store, record.approvals) : null;
  const versions = resolveTuban({ batchId: record.batchId, observations, prior, lastSequence: record.lastSequence, approvals, masks: await loadMasks(store, observations, cache), parameters: record.parameters });
  const recomputed = versions.map((v) => `${keys.tubanVersion(v.tubanId, v.version)} ${sha256Hex(stableJson(v))}`).join('\n');
  if (recomputed !== record.versions.map((v) => `${v.key} ${v.sha256}`).join('\n')) {
    throw new Error(`${keys.batchResolution(record.batchId)}: resolving the recorded inputs again gives different 图斑 versions`);
  }
  return versions;
}

async function caseSnapshot(store: BlobStore, tubanId: string): Promise<CaseSnapshot | null> {
  const record = await readCase(store, tubanId);
  if (!record) return null;
  const judged = [...record.history].reverse().find((e) => e.judged);
  return { status: record.status, verdict: record.verdict, judgedAreaM2: judged?.judged?.areaM2 ?? null };
}

export { readObservation };
