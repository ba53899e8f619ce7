import { parseArgs } from 'node:util';
import { ConfigError, configOrExit, createStore, InvalidInputError, rebuildAlertIndex, storeConfigFromEnv } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { parseCliEnv } from '../env.js';

/** `shoutu alerts rebuild`: restores the Redis index, alert stream and seen-set from storage alone. */
export async function runAlerts(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals[0] !== 'rebuild' || positionals.length !== 1) {
    throw new InvalidInputError('argument_invalid', 'usage: shoutu alerts rebuild', { field: 'subcommand' });
  }
  const env = configOrExit(() => {
    const parsed = parseCliEnv();
    if (!parsed.REDIS_URL) throw new ConfigError('environment variable REDIS_URL is not set: rebuild restores the Redis index of queue mode', { field: 'REDIS_URL' });
    return parsed;
  });
  const redis = createRedis(env.REDIS_URL!);
  try {
    const report = await rebuildAlertIndex(redis, env.SHOUTU_QUEUE_PREFIX, createStore(storeConfigFromEnv(env)));
    process.stdout.write(`rebuilt the index of ${report.alerts} 图斑 (prefix ${env.SHOUTU_QUEUE_PREFIX}); ${report.restreamed} put back on the alert stream\n`);
    return 0;
  } finally {
    redis.disconnect();
  }
}
