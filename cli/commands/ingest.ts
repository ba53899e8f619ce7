import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { createRedis, createStore, directorySource, InvalidInputError, QUEUES, runBatch, storeConfigFromEnv, submitBatch, writeAlertsFile, isInvalidInput } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';
import { parameterOptions, parametersFromFlags } from '../parameters.js';
import { tileProgressBar } from '../progress.js';
import { alertSummary } from '../summary.js';

/** Ingest a batch folder: run it embedded, or, with REDIS_URL set, upload it and enqueue it. */
export async function runIngest(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...parameterOptions, rerun: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', 'ingest takes exactly one batch folder', { field: 'DIR' });
  const dir = resolve(positionals[0]!);
  const parameters = parametersFromFlags(values);
  const env = parseCliEnv();
  const store = createStore(storeConfigFromEnv(env));

  if (env.REDIS_URL) {
    const connection = createRedis(env.REDIS_URL);
    const queue = new Queue(QUEUES.ingest, { connection, prefix: env.SHOUTU_QUEUE_PREFIX });
    try {
      const { uploadId, jobId } = await submitBatch(store, queue, dir, parameters, values.rerun ? { rerun: values.rerun } : {});
      process.stdout.write(`uploaded ${dir} as uploads/${uploadId}/ and queued ingest job ${jobId}\n`);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    return 0;
  }

  const bar = tileProgressBar(dir);
  try {
    const { ingest, finalize } = await runBatch(store, directorySource(dir), parameters, { progress: bar });
    bar.stop();
    for (const r of ingest.rejected) process.stderr.write(`rejected ${dir}/${r.name}: ${r.error?.message}\n`);
    await writeAlertsFile(store);
    process.stdout.write(`batch ${ingest.batchId}: ${ingest.scenes.length} scene(s) accepted, ${ingest.rejected.length} rejected, ${ingest.tiles.length} tiles\n`);
    process.stdout.write(`${alertSummary(finalize.alerts)}\n`);
    process.stdout.write(`alerts: ${store.describe(`batches/${ingest.batchId}/alerts.geojson`)}\nrun record: ${store.describe(`runs/${ingest.batchId}.json`)}\n`);
    return 0;
  } catch (error) {
    bar.stop();
    if (isInvalidInput(error)) {
      process.stderr.write(`shoutu: ${dir}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
