/**
 * Worker-thread side of detectPair: opens the pair once (PairWorkSpec) and runs the score, classify and
 * close tasks the calling thread sends.
 */
import { PairWork, type PairTask, type PairWorkSpec } from './pair-work.js';
import { serveTasks, workerDataOf } from './worker-pool.js';

const work = PairWork.open(workerDataOf<PairWorkSpec>());
work.catch(() => undefined); // reported with the first task
serveTasks<PairTask>(async (task) => (await work).run(task));
