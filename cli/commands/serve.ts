import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { closeOnSignals, ConfigError, configOrExit, createStore, DEFAULT_UPLOAD_LIMITS, fitEndpointsToScopes, QUEUES, storeConfigFromEnv, TokenRegistry } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { Queue } from 'bullmq';
import { buildApiServer, embeddedLauncher, isLoopbackHost, parseServeEnv, queueLauncher, redisIndexedAlerts, storedAlerts } from '@shoutu/alert';

/** Starts the HTTP API (PORT, default 8080) over the configured storage; runs until SIGINT/SIGTERM. */
export async function runServe(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, allowPositionals: false, strict: true });
  const env = configOrExit(() => {
    const parsed = parseServeEnv();
    if (!parsed.SHOUTU_TOKENS_FILE && !isLoopbackHost(parsed.HOST)) {
      throw new ConfigError(`environment variable SHOUTU_TOKENS_FILE is not set: without team tokens the API only listens on loopback, not HOST=${parsed.HOST}`, { field: 'SHOUTU_TOKENS_FILE' });
    }
    return parsed;
  });
  const logger = pino({ level: env.LOG_LEVEL, base: { service: 'api' } });
  const registry = env.SHOUTU_TOKENS_FILE ? await loadTokens(env.SHOUTU_TOKENS_FILE) : null;
  if (!registry) logger.warn('no SHOUTU_TOKENS_FILE: read-only API open to local callers');
  const store = createStore(storeConfigFromEnv(env));
  // A team whose scope was narrowed since the last start gets its webhook endpoints narrowed too.
  const fitEndpoints = async (tokens: TokenRegistry) => {
    for (const change of await fitEndpointsToScopes(store, (team) => tokens.alertScopeOf(team))) logger.warn(change, `webhook endpoint ${change.id} ${change.change} to fit team ${change.team}'s scope`);
  };
  if (registry) await fitEndpoints(registry);
  const redis = env.REDIS_URL ? createRedis(env.REDIS_URL) : null;
  const liveFeed = redis ? { redis, streamKey: `${env.SHOUTU_QUEUE_PREFIX}:alerts` } : null;
  const source = redis ? redisIndexedAlerts(redis, env.SHOUTU_QUEUE_PREFIX, store) : storedAlerts(store);
  const ingestQueue = redis ? new Queue(QUEUES.ingest, { connection: redis, prefix: env.SHOUTU_QUEUE_PREFIX }) : null;
  // While Redis is unreachable the API answers from storage and the client keeps reconnecting: log it.
  redis?.on('error', (err: Error) => logger.warn({ err }, 'redis connection error'));
  ingestQueue?.on('error', (err: Error) => logger.warn({ err, queue: QUEUES.ingest }, 'queue connection error'));
  const uploads = {
    store,
    limits: { ...DEFAULT_UPLOAD_LIMITS, maxFileBytes: env.SHOUTU_UPLOAD_MAX_FILE_BYTES, maxBatchBytes: env.SHOUTU_UPLOAD_MAX_BATCH_BYTES },
    launcher: ingestQueue ? queueLauncher(ingestQueue) : embeddedLauncher(store, logger),
  };
  const app = buildApiServer({ source, registry, logger, liveFeed, store, uploads });
  const address = await app.listen({ port: env.PORT, host: env.HOST });
  process.stdout.write(`shoutu API on ${address} (OGC API – Features: ${address}/collections/alerts/items)\n`);
  closeOnSignals({ close: async () => { await app.close(); await ingestQueue?.close(); redis?.disconnect(); } }, logger);
  if (env.SHOUTU_TOKENS_FILE && registry) reloadTokensOnHangup(env.SHOUTU_TOKENS_FILE, registry, fitEndpoints, logger);
  // (a hangup would otherwise end the process: an operator sending it expects a reload, not an outage)
  else process.on('SIGHUP', () => logger.warn('SIGHUP: no SHOUTU_TOKENS_FILE to read again; the API goes on open to local callers only'));
  await new Promise(() => {}); // runs until a signal closes it
  return 0;
}

/**
 * SIGHUP reads the tokens file again (revoking a token, adding a team, narrowing a scope need no restart).
 * A file that cannot be read or parsed leaves the tokens in force as they were, and the error is logged:
 * a half-edited file never opens the API nor locks every team out. Reloads run one at a time, in order.
 */
function reloadTokensOnHangup(file: string, registry: TokenRegistry, fitEndpoints: (tokens: TokenRegistry) => Promise<void>, logger: Logger): void {
  let queue = Promise.resolve();
  process.on('SIGHUP', () => {
    queue = queue.then(async () => {
      let next: TokenRegistry;
      try {
        next = await loadTokens(file);
      } catch (error) {
        logger.error({ file, err: error }, `tokens not reloaded, the previous ones stay in force: ${(error as Error).message}`);
        return;
      }
      registry.replaceWith(next);
      logger.info({ file, ...registry.size, generation: registry.generation }, 'tokens reloaded');
      await fitEndpoints(registry).catch((error: unknown) => logger.error({ err: error }, 'webhook endpoints not fitted to the reloaded scopes'));
    });
  });
}

/** The team token registry, or a ConfigError naming SHOUTU_TOKENS_FILE and what is wrong with the file. */
async function loadTokens(file: string): Promise<TokenRegistry> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`environment variable SHOUTU_TOKENS_FILE: cannot read ${file} (${(error as Error).message})`, { field: 'SHOUTU_TOKENS_FILE' });
  }
  try {
    return TokenRegistry.parse(text, file);
  } catch (error) {
    throw new ConfigError(`environment variable SHOUTU_TOKENS_FILE: ${(error as Error).message}`, { field: 'SHOUTU_TOKENS_FILE' });
  }
}
