import type { Queue } from 'bullmq';
import {
  defaultParameters,
  jobCatalog,
  runBatch,
  storageOnlySink,
  storeSource,
  withCaseOpening,
  type BlobStore,
  type PipelineParameters,
} from '@shoutu/shared';
import type { Logger } from 'pino';
import type { IngestLauncher } from './upload-routes.js';

/** Queue mode: a committed upload becomes an ingest job (job id from the upload id: committing twice adds nothing). */
export function queueLauncher(ingestQueue: Queue, parameters: PipelineParameters = defaultParameters()): IngestLauncher {
  return {
    async start(uploadId) {
      const entry = jobCatalog['ingest-batch'];
      const jobId = `ingest.${uploadId}`;
      await ingestQueue.add('ingest-batch', entry.schema.parse({ source: { kind: 'store', prefix: `uploads/${uploadId}/` }, parameters }), { ...entry.options, jobId });
      return { jobId };
    },
  };
}

/**
 * Embedded mode: committed uploads run in this process, one batch at a time in commit order; the
 * batch status in storage says how far each got.
 */
export function embeddedLauncher(store: BlobStore, logger?: Logger, parameters: PipelineParameters = defaultParameters()): IngestLauncher & { idle(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  return {
    async start(uploadId) {
      chain = chain.then(async () => {
        try {
          await runBatch(store, storeSource(store, `uploads/${uploadId}/`), parameters, { sink: withCaseOpening(storageOnlySink, store) });
        } catch (error) {
          logger?.error({ err: error, uploadId }, 'batch failed');
        }
      });
      return {};
    },
    idle: () => chain,
  };
}
