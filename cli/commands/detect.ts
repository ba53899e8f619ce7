import { startPairWorkers, threadsFromEnv } from '@shoutu/shared/pipeline/pair-workers.js';

/**
 * `shoutu detect` (detect-run.ts). The worker threads start first: each takes about a second to load its
 * modules (tsx compiles them on load), which then overlaps this thread loading its own, reading the
 * arguments and opening the pair. Only the pool loads before they start.
 */
export async function runDetect(args: string[]): Promise<number> {
  const threads = threadsFromEnv();
  const workers = threads > 1 ? startPairWorkers(threads - 1) : undefined;
  try {
    const { detectCommand } = await import('./detect-run.js');
    return await detectCommand(args, threads, workers);
  } finally {
    await workers?.close(); // detectPair closed them already unless it never got them (closing again is harmless)
  }
}
