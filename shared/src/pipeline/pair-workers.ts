/**
 * Worker threads for detectPair, startable before the pair is known. A worker takes a while to load
 * shoutu's modules (about a second when tsx compiles them, a third of that from the bundle); `shoutu
 * detect` starts its workers first thing, so that happens while the calling thread loads its own modules
 * and opens the files. Kept light: this module
 * loads only the pool.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../errors.js';
import { WorkerPool } from './worker-pool.js';
import { handlerUrl } from './worker-handlers.js';

/** Worker threads `shoutu detect` uses unless told otherwise: SHOUTU_THREADS, else every core. */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SHOUTU_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new ConfigError(`environment variable SHOUTU_THREADS is invalid (must be an integer 1..256, got "${raw}")`, { field: 'SHOUTU_THREADS' });
  return n;
}

/**
 * `count` worker threads that load the pair-detection modules now and wait for their pair (an 'open' task,
 * which detectPair sends). Hand the pool to detectPair (`workers`), which uses as many as the pair has
 * rows for and closes it; a caller that does not get that far closes it itself.
 */
export function startPairWorkers(count: number): WorkerPool {
  return new WorkerPool(count, handlerUrl('pair-worker'), null);
}
