/**
 * The fast index of 图斑 in Redis (queue mode): one hash `<prefix>:index:alerts`, 图斑编号 → the alert
 * with its case fields (status, verdict, deadline). Storage stays the record of truth: the index is
 * written after storage, and `rebuildAlertIndex` restores it — and the alert stream and its seen-set —
 * from storage alone after Redis lost its data.
 */
import type { Redis } from 'ioredis';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { readJsonAll, type BlobStore } from '../storage/index.js';
import { collectAlerts } from '../pipeline/export-alerts.js';
import { restoreCurrentViews } from '../tuban/tuban-store.js';
import { readCase } from '../cases/case-store.js';
import { stableJson } from '../util/stable-json.js';
import { forEachTuban, isAnnounced, redisStreamSink, type AlertSink } from '../alerts/alert-sink.js';
import type { TubanVersion } from '../tuban/tuban-record.js';

export const alertIndexKey = (prefix: string) => `${prefix}:index:alerts`;

/** The alert as the feed shows it: stored properties plus its case's status, verdict and deadline. */
export async function alertWithCase(store: BlobStore, alert: AlertFeature): Promise<AlertFeature> {
  const record = await readCase(store, alert.id);
  if (!record) return alert;
  const lifecycle = { status: record.status, verdict: record.verdict, deadline: record.deadline, dispatchedAt: record.opening.dispatchedAt };
  return { ...alert, properties: { ...alert.properties, ...lifecycle } } as AlertFeature;
}

export async function indexAlert(redis: Redis, prefix: string, alert: AlertFeature): Promise<void> {
  await redis.hset(alertIndexKey(prefix), alert.id, stableJson(alert).trimEnd());
}

/** Every indexed 图斑, in 图斑编号 order (as storage lists them), whatever order the hash holds them in. */
export async function indexedAlerts(redis: Redis, prefix: string): Promise<AlertFeature[]> {
  const alerts = (await redis.hvals(alertIndexKey(prefix))).map((json) => JSON.parse(json) as AlertFeature);
  return alerts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface RebuildReport {
  alerts: number;
  /** Alerts put back on the stream because its seen-set had lost them. */
  restreamed: number;
}

/**
 * Rebuilds the index from storage (every 图斑's current version with its case), and puts every announced
 * 图斑 version the stream's seen-set does not know back on the stream — in the order the epochs came
 * (acquisition date, batch, 图斑编号, version) — so feeds and the announce-once rule work again: a
 * finalisation re-run after the rebuild announces nothing twice. Idempotent.
 */
export async function rebuildAlertIndex(redis: Redis, prefix: string, store: BlobStore): Promise<RebuildReport> {
  // The current views are derived from the versions (written once): put back any that a crash left behind.
  await restoreCurrentViews(store);
  const alerts = await collectAlerts(store);
  for (const stored of alerts) await indexAlert(redis, prefix, await alertWithCase(store, stored));
  const stream = redisStreamSink(redis, prefix);
  let restreamed = 0;
  for (const version of await announcedVersions(store, alerts)) {
    if (await stream.publish(version)) restreamed++; // atomic: seen-set and stream together
  }
  return { alerts: alerts.length, restreamed };
}

/** Every announced version of every 图斑 (stored alerts without versions count as their own version 1). */
async function announcedVersions(store: BlobStore, current: readonly AlertFeature[]): Promise<AlertFeature[]> {
  const out: AlertFeature[] = [];
  const versioned = new Set<string>();
  const versionKeys = (await store.list('tuban/')).filter((key) => /^tuban\/[^/]+\/versions\/\d+\.json$/.test(key));
  for (const { feature } of await readJsonAll<TubanVersion>(store, versionKeys)) {
    versioned.add(feature.id);
    if (isAnnounced(feature)) out.push(feature);
  }
  for (const alert of current) if (!versioned.has(alert.id) && isAnnounced(alert)) out.push(alert);
  const order = (a: AlertFeature) => [a.properties.afterDate, a.properties.batchId, a.id, String(a.properties.version ?? 1).padStart(6, '0')].join('\u0000');
  return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/**
 * Wraps an alert sink so that every announced 图斑 is also indexed (after its case is opened). `prepare`
 * reads the cases of a batch's versions many at a time; publish reads only those not prepared.
 */
export function withAlertIndex(inner: AlertSink, redis: Redis, prefix: string, store: BlobStore): AlertSink {
  const withCases = new WeakMap<AlertFeature, AlertFeature>();
  return {
    async prepare(alerts) {
      await forEachTuban(alerts, async (alert) => {
        withCases.set(alert, await alertWithCase(store, alert));
      });
      await inner.prepare?.(alerts);
    },
    async publish(alert) {
      const indexed = withCases.get(alert) ?? (await alertWithCase(store, alert));
      withCases.delete(alert);
      await indexAlert(redis, prefix, indexed);
      return inner.publish(alert);
    },
  };
}
