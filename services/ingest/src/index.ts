export { IngestEnv, parseIngestEnv } from './env.js';
export { startIngestWorker } from './worker.js';
export { handleIngestBatch } from './handle-ingest-batch.js';
