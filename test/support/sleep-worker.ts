/**
 * A worker-thread handler for the worker pool's tests: `{ ms, label }` waits ms and answers with the label
 * and how many of its tasks were running at the time; `{ uncloneable: true }` answers with a function,
 * which cannot cross the thread boundary. Serves tasks at the concurrency it was started with.
 */
import { serveTasks, workerDataOf } from '../../shared/src/pipeline/worker-pool.js';

type Task = { ms: number; label: string } | { uncloneable: true };

let running = 0;
serveTasks<Task>(async (task) => {
  if ('uncloneable' in task) return () => undefined;
  const atStart = ++running;
  await new Promise((resolve) => setTimeout(resolve, task.ms));
  running--;
  return { label: task.label, runningAtStart: atStart };
}, workerDataOf<{ concurrency: number }>().concurrency);
