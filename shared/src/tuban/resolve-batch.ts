/**
 * Resolving a batch's observations into 图斑 in storage. The decision (resolve-tuban.ts) is pure; this
 * gathers its inputs, commits them with the batch's place in the store's resolution log
 * (`resolutions/<n>.json`, and the same bytes as `batches/<id>/resolution.json`, both written once before any
 * version), then writes the versions and announces them. A re-run of a finalisation — after a crash, or a
 * replay — takes the recorded inputs and so reproduces exactly the same versions, which are write-once.
 *
 * The log puts finalisations that run at the same time (several alert workers) in one order: each decides
 * on top of the last committed entry, after making sure that entry's versions are written, and commits as
 * the next entry only if no one else did first; otherwise it decides again. Without it, two batches of one
 * county and month would read the same last 图斑 sequence number and issue the same 图斑编号, and the
 * batch that committed second could never write its versions.
 */
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stable-json.js';
import type { AlertSink } from '../alerts/alert-sink.js';
import { maskVersionList, type AlertFeature } from '../alerts/alert-feature.js';
import { readCase } from '../cases/case-store.js';
import { loadApprovalLayers, type ApprovalPin } from '../approvals/approval-store.js';
import type { MaskCache } from '../pipeline/mask-store.js';
import type { MaskLayer } from '../masks/index.js';
import { MASK_LAYERS } from '../detection/parameters.js';
import { resolveTuban, type CaseSnapshot, type ResolveParameters } from './resolve-tuban.js';
import { latestVersionNumbers, readObservation, readTubanVersion } from './tuban-store.js';
import { numberingPeriod, parseTubanNumber } from './tuban-number.js';
import { bboxesNear } from './lattice-footprint.js';
import { lastLogEntry } from './resolution-log.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import type { ObservationRecord, TubanVersion } from './tuban-record.js';

/** Everything the resolution of a batch read, and what it wrote. */
export interface ResolutionRecord {
  /** `/1` records (before the log) have no `logEntry`; they replay the same way. */
  schema: 'shoutu.resolution/2' | 'shoutu.resolution/1';
  batchId: string;
  /** Its entry in the store's resolution log: the n-th resolution committed (absent in `/1` records). */
  logEntry?: number;
  parameters: ResolveParameters;
  observations: { key: string; sha256: string }[];
  /** Latest versions of the existing 图斑 near the observations. */
  prior: { key: string; sha256: string }[];
  cases: Record<string, CaseSnapshot>;
  lastSequence: Record<string, number>;
  /** The approval layers pinned on the batch at ingest (one ref as before regional layers, or a list). */
  approvals: ApprovalPin | null;
  versions: { key: string; sha256: string }[];
}

/** A 图斑 version already in the store differs from the one a committed resolution makes. */
export class ResolutionConflictError extends Error {
  constructor(key: string) {
    super(`${key} already holds a different version than this batch's committed resolution makes; the store was written outside the resolution log`);
    this.name = 'ResolutionConflictError';
  }
}

export interface ResolveBatchOptions {
  parameters: ResolveParameters;
  approvals: ApprovalPin | null;
  masks: MaskCache;
  /** where the observations' bytes are kept, by key, for a later step that digests them (the run record) */
  kept?: Map<string, Uint8Array>;
}

const decode = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
const JSON_TYPE = { contentType: 'application/json' } as const;

export async function resolveBatch(store: BlobStore, batchId: string, observationIds: readonly string[], sink: AlertSink, options: ResolveBatchOptions): Promise<AlertFeature[]> {
  const versions = await committedResolution(store, batchId, observationIds, options);
  const features: AlertFeature[] = [];
  // Listed once: a version newer than this batch's (a late re-run) keeps the current view.
  const newest = await latestVersionNumbers(store, new Set(versions.map((v) => v.tubanId.slice(0, 6))));
  // Every version is written before any is announced; a finalize that stops in between writes the same
  // bytes again when it runs again, and announces them all.
  await writeVersions(store, versions, async (version) => {
    // The current view follows the newest version only (a late re-run must not roll it back).
    if ((newest.get(version.tubanId) ?? 0) <= version.version) await store.put(keys.alert(version.tubanId), stableJson(version.feature), { contentType: 'application/geo+json' });
  });
  await sink.prepare?.(versions.map((v) => v.feature));
  for (const version of versions) {
    await sink.publish(version.feature);
    features.push(version.feature);
  }
  return features;
}

/**
 * Writes the versions, many at a time, and the last one (in record order) only once all the others are
 * written: the last one present means all are (completeEntry). `then` runs after each version's write.
 */
async function writeVersions(store: BlobStore, versions: readonly TubanVersion[], then?: (version: TubanVersion) => Promise<void>): Promise<void> {
  const write = async (version: TubanVersion): Promise<void> => {
    await writeVersion(store, version);
    await then?.(version);
  };
  await mapInOrder(versions.slice(0, -1), STORE_REQUESTS_IN_FLIGHT, write);
  if (versions.length > 0) await write(versions.at(-1)!);
}

/** Writes a version once; the same bytes already there are fine, different bytes are a conflict. */
async function writeVersion(store: BlobStore, version: TubanVersion): Promise<void> {
  const key = keys.tubanVersion(version.tubanId, version.version);
  const bytes = stableJson(version);
  if (!(await store.putIfAbsent(key, bytes, JSON_TYPE))) {
    const existing = await store.get(key);
    if (sha256Hex(existing) !== sha256Hex(bytes)) throw new ResolutionConflictError(key);
  }
}

/**
 * The versions of the batch's committed resolution: the recorded one if there is one, else a fresh one
 * committed as the next entry of the resolution log.
 */
async function committedResolution(store: BlobStore, batchId: string, observationIds: readonly string[], options: ResolveBatchOptions): Promise<TubanVersion[]> {
  const recordKey = keys.batchResolution(batchId);
  const recorded = await store.getOrNull(recordKey);
  if (recorded) return replayResolution(store, decode<ResolutionRecord>(recorded), options.masks);
  for (;;) {
    const head = await lastLogEntry(store);
    if (head > 0) {
      const bytes = await store.get(keys.resolutionLogEntry(head));
      const entry = decode<ResolutionRecord>(bytes);
      // This batch committed, then stopped before writing its record's copy: continue from the entry.
      if (entry.batchId === batchId) {
        await store.putIfAbsent(recordKey, bytes, JSON_TYPE);
        return replayResolution(store, entry, options.masks);
      }
      await completeEntry(store, entry, bytes, options.masks);
    }
    // Entries before the head were completed by the head's finalisation before it committed, so a
    // commit of this batch among them would show as its record.
    const again = await store.getOrNull(recordKey);
    if (again) return replayResolution(store, decode<ResolutionRecord>(again), options.masks);
    const { record, versions } = await freshResolution(store, batchId, observationIds, head + 1, options);
    const bytes = stableJson(record, 2);
    if (await store.putIfAbsent(keys.resolutionLogEntry(head + 1), bytes, JSON_TYPE)) {
      await store.putIfAbsent(recordKey, bytes, JSON_TYPE);
      return versions;
    }
    // Another finalisation committed entry head + 1 first: decide again on top of it.
  }
}

/**
 * Makes a committed log entry whole — its batch's record and every version it makes — so that the next
 * decision sees it. Its finalisation (or a retry) still announces it; this only writes what it decided.
 */
async function completeEntry(store: BlobStore, entry: ResolutionRecord, bytes: Uint8Array, masks: MaskCache): Promise<void> {
  await store.putIfAbsent(keys.batchResolution(entry.batchId), bytes, JSON_TYPE);
  // The last version in record order is written after all the others (writeVersions), so the last one
  // present means all are.
  const last = entry.versions.at(-1);
  if (!last || (await store.exists(last.key))) return;
  await writeVersions(store, await replayResolution(store, entry, masks));
}

async function loadMasks(store: BlobStore, observations: readonly ObservationRecord[], cache: MaskCache): Promise<Map<string, MaskLayer>> {
  const masks = new Map<string, MaskLayer>();
  for (const obs of observations) {
    for (const layer of MASK_LAYERS) {
      for (const sha of maskVersionList(obs.feature.properties.maskVersions, layer)) {
        if (!masks.has(sha)) masks.set(sha, await cache.load(store, { layer, sha256: sha, key: keys.maskVersion(layer, sha) }));
      }
    }
  }
  return masks;
}

async function freshResolution(store: BlobStore, batchId: string, observationIds: readonly string[], logEntry: number, options: ResolveBatchOptions): Promise<{ record: ResolutionRecord; versions: TubanVersion[] }> {
  const read = await mapInOrder([...observationIds].sort(), STORE_REQUESTS_IN_FLIGHT, async (id) => {
    const key = keys.observation(id);
    const bytes = await store.get(key);
    options.kept?.set(key, bytes);
    return { observation: decode<ObservationRecord>(bytes), digest: { key, sha256: sha256Hex(bytes) } };
  });
  const observations = read.map((r) => r.observation);
  const observationDigests: ResolutionRecord['observations'] = read.map((r) => r.digest);
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
  const candidates = await mapInOrder([...latest.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)), STORE_REQUESTS_IN_FLIGHT, async ([id, n]) => {
    const { key, bytes, record: version } = await readTubanVersion(store, id, n);
    const near = observations.some((o) => o.lattice.gridId === version.lattice.gridId && o.feature.properties.regionCode === version.feature.properties.regionCode && bboxesNear(o.shape.pixelBbox, version.shape.pixelBbox));
    return near ? { id, key, bytes, version, snapshot: await caseSnapshot(store, id) } : null;
  });
  for (const c of candidates) {
    if (c === null) continue;
    if (c.snapshot) cases[c.id] = c.snapshot;
    prior.push({ version: c.version, case: c.snapshot });
    priorDigests.push({ key: c.key, sha256: sha256Hex(c.bytes) });
  }
  const approvals = await loadApprovalLayers(store, options.approvals);
  const versions = resolveTuban({ batchId, observations, prior, lastSequence, approvals, masks: await loadMasks(store, observations, options.masks), parameters: options.parameters });
  const record: ResolutionRecord = {
    schema: 'shoutu.resolution/2',
    batchId,
    logEntry,
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
  const observations = await mapInOrder(record.observations, STORE_REQUESTS_IN_FLIGHT, async (d) => decode<ObservationRecord>(await checked(d)));
  const prior = await mapInOrder(record.prior, STORE_REQUESTS_IN_FLIGHT, async (d) => {
    const version = decode<TubanVersion>(await checked(d));
    return { version, case: record.cases[version.tubanId] ?? null };
  });
  const approvals = await loadApprovalLayers(store, record.approvals);
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
