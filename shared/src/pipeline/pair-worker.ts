/**
 * Worker-thread side of detectPair: loads the modules at once, opens the pair when the 'open' task brings
 * it (PairWorkSpec; see pair-workers.ts), then runs the prefetch, detect and close tasks the calling thread
 * sends.
 */
import { PairWork, type OpenTask, type PairTask } from './pair-work.js';
import { serveTasks } from './worker-pool.js';

let work: Promise<PairWork> | null = null;
serveTasks<PairTask | OpenTask>(async (task) => {
  if (task.kind === 'open') {
    work = PairWork.open(task.spec);
    await work;
    return null;
  }
  if (work === null) {
    if (task.kind === 'close') return null;
    throw new Error(`pair worker: '${task.kind}' task before the pair was opened`);
  }
  return (await work).run(task);
});
