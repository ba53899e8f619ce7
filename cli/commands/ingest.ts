import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createStore, directorySource, InvalidInputError, jobCatalog, keys, QUEUES, runBatch, storageOnlySink, withCaseOpening, s3AccessFromEnv, s3BatchSource, storeConfigFromEnv, storeSource, submitBatch, threadsFromEnv, writeAlertsFile, isInvalidInput, type BatchSource } from '@shoutu/shared';
import type { CliEnv } from '../env.js';
import { parseCliEnv } from '../env.js';
import { ingestReport } from '../ingest-report.js';
import { parameterOptions, parametersFromFlags } from '../parameters.js';
import { ingestProgress } from '../progress.js';
import { alertSummary, coverageReport } from '../summary.js';

/**
 * Ingest a batch folder or S3 prefix: run it embedded (progress on stderr, report on stdout), or, with
 * REDIS_URL set, upload it and enqueue it.
 */
export async function runIngest(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...parameterOptions, rerun: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', 'ingest takes exactly one batch folder', { field: 'DIR' });
  const parameters = parametersFromFlags(values);
  const env = parseCliEnv();
  const storeConfig = storeConfigFromEnv(env);
  const store = createStore(storeConfig);
  const s3Url = positionals[0]!.startsWith('s3://') ? parseS3Prefix(positionals[0]!) : null;
  const dir = s3Url === null ? resolve(positionals[0]!) : positionals[0]!;

  if (env.REDIS_URL) {
    // the workers read the batch from the store: an S3 prefix must be in the store's bucket
    const s3Prefix = s3Url === null ? null : storePrefixOf(positionals[0]!, env);
    // BullMQ and ioredis load only in queue mode: embedded ingest starts without them.
    const [{ Queue }, { createRedis }] = await Promise.all([import('bullmq'), import('@shoutu/shared/queue/index.js')]);
    const connection = createRedis(env.REDIS_URL);
    const queue = new Queue(QUEUES.ingest, { connection, prefix: env.SHOUTU_QUEUE_PREFIX });
    try {
      if (s3Prefix !== null) {
        const entry = jobCatalog['ingest-batch'];
        const jobId = `ingest.${s3Prefix.replace(/[^A-Za-z0-9_-]+/g, '_')}${values.rerun ? `.${values.rerun}` : ''}`;
        await queue.add('ingest-batch', entry.schema.parse({ source: { kind: 'store', prefix: s3Prefix }, parameters }), { ...entry.options, jobId });
        process.stdout.write(`queued ingest job ${jobId} for ${dir}\n`);
      } else {
        const { uploadId, jobId } = await submitBatch(store, queue, dir, parameters, values.rerun ? { rerun: values.rerun } : {});
        process.stdout.write(`uploaded ${dir} as uploads/${uploadId}/ and queued ingest job ${jobId}\n`);
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
    return 0;
  }

  const progress = ingestProgress(dir);
  let source: BatchSource & { close?(): void };
  if (s3Url === null) source = directorySource(dir);
  else if (sameStore(s3Url, env)) source = storeSource(store, s3Url.prefix.slice(env.S3_PREFIX.length));
  else source = s3BatchSource(s3Url.bucket, s3Url.prefix, s3AccessFromEnv(env)); // any other bucket: read with the same S3 settings
  try {
    const { ingest, finalize } = await runBatch(store, progress.watch(source), parameters, { progress, sink: withCaseOpening(storageOnlySink, store), threads: threadsFromEnv(), storeConfig });
    progress.stop();
    for (const s of ingest.scenes) {
      if (s.source) process.stdout.write(`resampled ${s.file.name} from EPSG:${s.source.raster.epsg} onto the area grid ${s.placement.lattice.gridId} (bilinear; cloud masks nearest)\n`);
    }
    await writeAlertsFile(store);
    process.stdout.write(ingestReport(ingest, progress.read));
    process.stdout.write(coverageReport(finalize.coverage, (id) => ingest.scenes.find((s) => s.sceneId === id)?.file.name ?? id));
    process.stdout.write(`${alertSummary(finalize.alerts)}\n`);
    process.stdout.write(`alerts: ${store.describe(`batches/${ingest.batchId}/alerts.geojson`)}\nrun record: ${store.describe(`runs/${ingest.batchId}.json`)}\n`);
    if (finalize.coverage.length > 0) process.stdout.write(`coverage map: ${store.describe(keys.batchCoverage(ingest.batchId))} (ground examined, tile by tile)\n`);
    return 0;
  } catch (error) {
    progress.stop();
    if (isInvalidInput(error)) {
      // Most messages name the file at fault; one about the folder itself already starts with it.
      process.stderr.write(`shoutu: ${error.message.startsWith(dir) ? '' : `${dir}: `}${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    source.close?.();
  }
}

/** s3://bucket/prefix/ → bucket and prefix (ending in '/'). */
function parseS3Prefix(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.+?)\/?$/.exec(url);
  if (!match) throw new InvalidInputError('argument_invalid', `${url}: expected s3://<bucket>/<prefix>/`, { field: 'DIR' });
  return { bucket: match[1]!, prefix: `${match[2]}/` };
}

/** Whether the prefix lies in the configured S3 store (S3_BUCKET, under S3_PREFIX). */
function sameStore(url: { bucket: string; prefix: string }, env: CliEnv): boolean {
  return env.S3_BUCKET !== undefined && url.bucket === env.S3_BUCKET && url.prefix.startsWith(env.S3_PREFIX);
}

/** s3://bucket/prefix/ → the prefix inside the configured store (same bucket, under S3_PREFIX). */
function storePrefixOf(url: string, env: CliEnv): string {
  const match = /^s3:\/\/([^/]+)\/(.+?)\/?$/.exec(url);
  if (!match) throw new InvalidInputError('argument_invalid', `${url}: expected s3://<bucket>/<prefix>/`, { field: 'DIR' });
  const [, bucket, path] = match;
  if (bucket !== env.S3_BUCKET) {
    throw new InvalidInputError('argument_invalid', `${url}: bucket "${bucket}" is not the configured S3_BUCKET (${env.S3_BUCKET ?? 'unset'})`, { field: 'DIR' });
  }
  const full = `${path}/`;
  if (!full.startsWith(env.S3_PREFIX)) {
    throw new InvalidInputError('argument_invalid', `${url}: outside the configured S3_PREFIX "${env.S3_PREFIX}"`, { field: 'DIR' });
  }
  return full.slice(env.S3_PREFIX.length);
}
