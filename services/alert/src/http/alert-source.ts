import type { Redis } from 'ioredis';
import { alertWithCase, collectAlerts, indexAlert, indexedAlerts, keys, type AlertFeature, type BlobStore } from '@shoutu/shared';

/** Where the API reads 图斑 from. */
export interface AlertSource {
  all(): Promise<AlertFeature[]>;
  /** Called after a 图斑's case changed, so an index can follow. */
  changed?(id: string): Promise<void>;
}

/**
 * Every alert in storage (the record of truth) with its case's status, verdict and deadline, read per
 * request: right for a county's data set and the embedded demo.
 */
export function storedAlerts(store: BlobStore): AlertSource {
  return {
    async all() {
      return Promise.all((await collectAlerts(store)).map((alert) => alertWithCase(store, alert)));
    },
  };
}

/**
 * Queue mode: the Redis index (one HVALS), kept current by the alert worker and by case transitions.
 * Storage answers instead while Redis is unreachable (a request would otherwise wait for it to come
 * back), and while the index is empty but storage holds alerts (Redis lost its data) until
 * `npx shoutu alerts rebuild` has run.
 */
export function redisIndexedAlerts(redis: Redis, prefix: string, store: BlobStore): AlertSource {
  const fallback = storedAlerts(store);
  return {
    async all() {
      if (redis.status !== 'ready') return fallback.all();
      const indexed = await indexedAlerts(redis, prefix);
      return indexed.length > 0 ? indexed : fallback.all();
    },
    async changed(id) {
      const stored = await store.getOrNull(keys.alert(id));
      if (stored) await indexAlert(redis, prefix, await alertWithCase(store, JSON.parse(Buffer.from(stored).toString('utf8')) as AlertFeature));
    },
  };
}
