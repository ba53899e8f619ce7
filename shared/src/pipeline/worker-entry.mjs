// Worker-thread entry: registers tsx (as bin/shoutu.mjs does) so TypeScript loads, then imports the
// handler module named in workerData (see WorkerPool).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.handler);
