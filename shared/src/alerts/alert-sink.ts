import type { Redis } from 'ioredis';
import type { AlertFeature } from './alert-feature.js';
import { stableJson } from '../util/stable-json.js';
import { isNotified } from '../tuban/tuban-record.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';

/** Where 图斑 versions are announced. `publish` returns true when the version was new to this sink. */
export interface AlertSink {
  publish(alert: AlertFeature): Promise<boolean>;
  /**
   * Optional, called with a batch's versions before they are published one by one in order (the same
   * objects): does at once the part of publishing that does not depend on the order of the 图斑 (storage
   * round trips), the versions of one 图斑 in their order, so that publish does only the rest. A wrapper
   * passes the call on to the sink it wraps.
   */
  prepare?(alerts: readonly AlertFeature[]): Promise<void>;
}

/**
 * Runs `fn` on each 图斑's versions in their order, STORE_REQUESTS_IN_FLIGHT 图斑 at a time (a prepare step:
 * different 图斑 in any order, one 图斑's versions one after the other).
 */
export async function forEachTuban(alerts: readonly AlertFeature[], fn: (alert: AlertFeature) => Promise<void>): Promise<void> {
  const byTuban = new Map<string, AlertFeature[]>();
  for (const alert of alerts) {
    const versions = byTuban.get(alert.id);
    if (versions) versions.push(alert);
    else byTuban.set(alert.id, [alert]);
  }
  await mapInOrder([...byTuban.values()], STORE_REQUESTS_IN_FLIGHT, async (versions) => {
    for (const alert of versions) await fn(alert);
  });
}

/** Embedded mode: alerts live in storage only. */
export const storageOnlySink: AlertSink = {
  publish: async () => true,
};

// Atomic "announce once": the id joins the seen-set and the alert goes onto the stream together, so a
// crash or a re-run can neither drop nor repeat an entry.
const PUBLISH_ONCE = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  redis.call('XADD', KEYS[1], '*', 'id', ARGV[1], 'alert', ARGV[2])
  return 1
end
return 0`;

/** The event a 图斑 version is announced as: `<图斑编号>@<version>` (one per version, never repeated). */
export function announcementId(alert: AlertFeature): string {
  return `${alert.id}@${alert.properties.version ?? 1}`;
}

/** Whether a 图斑 version goes out on the feeds (held and merely recorded versions do not). */
export function isAnnounced(alert: AlertFeature): boolean {
  const action = alert.properties.dispatch;
  return action === undefined || isNotified(action);
}

/**
 * Queue mode: appends each announced 图斑 version once to a Redis Stream (`<prefix>:alerts`) for feeds to
 * read; versions that are held (likely legal) or only recorded are not announced.
 */
export function redisStreamSink(redis: Redis, prefix: string): AlertSink & { streamKey: string } {
  const streamKey = `${prefix}:alerts`;
  const seenKey = `${prefix}:alerts:seen`;
  return {
    streamKey,
    async publish(alert) {
      if (!isAnnounced(alert)) return false;
      const result = await redis.eval(PUBLISH_ONCE, 2, streamKey, seenKey, announcementId(alert), stableJson(alert).trimEnd());
      return result === 1;
    },
  };
}
