import type { Redis } from 'ioredis';
import type { AlertFeature } from './alert-feature.js';
import { stableJson } from '../util/stable-json.js';

/** Where new alerts are announced. `publish` returns true when the alert was new to this sink. */
export interface AlertSink {
  publish(alert: AlertFeature): Promise<boolean>;
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

/** Queue mode: appends each new alert once to a Redis Stream (`<prefix>:alerts`) for feeds to read. */
export function redisStreamSink(redis: Redis, prefix: string): AlertSink & { streamKey: string } {
  const streamKey = `${prefix}:alerts`;
  const seenKey = `${prefix}:alerts:seen`;
  return {
    streamKey,
    async publish(alert) {
      const result = await redis.eval(PUBLISH_ONCE, 2, streamKey, seenKey, alert.id, stableJson(alert).trimEnd());
      return result === 1;
    },
  };
}
