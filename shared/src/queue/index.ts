/**
 * Queue mode's connections: Redis clients and BullMQ workers. Kept out of the package's main entry so
 * that embedded mode and the CLI's local commands start without loading ioredis and BullMQ (about 0.15 s
 * of start-up); the services and the CLI's queue commands import them from here.
 */
export { createRedis } from './redis-connection.js';
export { createCatalogWorker, isLastAttempt, type JobLogger, type HandlerMap } from './catalog-worker.js';
