/**
 * 图斑 and observations in storage. Versions and observations are written once; `alerts/<id>.json` is the
 * current version's feature, rewritten when a new version is made (a view: the versions are the record).
 */
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { stableJson } from '../util/stable-json.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import type { ObservationRecord, TubanVersion } from './tuban-record.js';

const decode = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;

export async function writeObservation(store: BlobStore, record: ObservationRecord): Promise<void> {
  await store.put(keys.observation(record.id), stableJson(record), { contentType: 'application/json' });
}

export async function readObservation(store: BlobStore, id: string): Promise<ObservationRecord> {
  return decode<ObservationRecord>(await store.get(keys.observation(id)));
}

/** Latest version number of every 图斑 in storage whose id starts with one of `regionCodes` (all when null). */
export async function latestVersionNumbers(store: BlobStore, regionCodes: ReadonlySet<string> | null): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  // A 图斑编号 starts with its county's code: list only those counties' 图斑, not the whole store's.
  const prefixes = regionCodes === null ? [keys.tubanVersions] : [...regionCodes].sort().map((code) => `${keys.tubanVersions}${code}-`);
  const listed = (await Promise.all(prefixes.map((prefix) => store.list(prefix)))).flat();
  for (const key of listed) {
    const m = /^tuban\/([^/]+)\/versions\/(\d+)\.json$/.exec(key);
    if (!m) continue;
    const [, id, v] = m as unknown as [string, string, string];
    if (regionCodes && !regionCodes.has(id.slice(0, 6))) continue;
    const n = Number(v);
    if (n > (latest.get(id) ?? 0)) latest.set(id, n);
  }
  return latest;
}

export async function readTubanVersion(store: BlobStore, tubanId: string, version: number): Promise<{ key: string; bytes: Uint8Array; record: TubanVersion }> {
  const key = keys.tubanVersion(tubanId, version);
  const bytes = await store.get(key);
  return { key, bytes, record: decode<TubanVersion>(bytes) };
}

/** Every version of a 图斑, oldest first. */
export async function tubanHistory(store: BlobStore, tubanId: string): Promise<TubanVersion[]> {
  const out: TubanVersion[] = [];
  for (const key of (await store.list(`tuban/${tubanId}/versions/`)).sort()) out.push(decode<TubanVersion>(await store.get(key)));
  return out;
}

/**
 * Rewrites every current view (`alerts/<id>.json`) that differs from its 图斑's latest version: the views
 * are derived, the versions are the record. Returns how many views were repaired.
 */
export async function restoreCurrentViews(store: BlobStore): Promise<number> {
  const latest = [...(await latestVersionNumbers(store, null)).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const repaired = await mapInOrder(latest, STORE_REQUESTS_IN_FLIGHT, async ([id, n]) => {
    const { record } = await readTubanVersion(store, id, n);
    const want = stableJson(record.feature);
    const have = await store.getOrNull(keys.alert(id));
    if (have && Buffer.from(have).toString('utf8') === want) return false;
    await store.put(keys.alert(id), want, { contentType: 'application/geo+json' });
    return true;
  });
  return repaired.filter(Boolean).length;
}
