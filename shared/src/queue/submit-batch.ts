import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Queue } from 'bullmq';
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { sha256Hex } from '../util/sha256.js';
import type { PipelineParameters } from '../detection/parameters.js';
import { jobCatalog } from './job-catalog.js';
import { readBytes } from '../util/read-bytes.js';

/**
 * Queue mode entry: copies a local batch folder into storage under uploads/<id>/ and enqueues its
 * ingest job. The upload id is a hash of the files, so submitting the same folder twice reuses the
 * upload; pass `rerun` to process it again (alerts stay unique either way).
 */
export async function submitBatch(
  store: BlobStore,
  ingestQueue: Queue,
  dir: string,
  parameters: PipelineParameters,
  options: { rerun?: string } = {},
): Promise<{ uploadId: string; jobId: string }> {
  const root = resolve(dir);
  const names: string[] = [];
  for (const name of (await readdir(root)).sort()) if ((await stat(join(root, name))).isFile()) names.push(name);
  const files = await Promise.all(names.map(async (name) => ({ name, bytes: await readBytes(join(root, name)) })));
  const uploadId = sha256Hex(files.map((f) => `${f.name}:${sha256Hex(f.bytes)}`).join('\n')).slice(0, 16);
  for (const f of files) await store.put(keys.upload(uploadId, f.name), f.bytes);
  const entry = jobCatalog['ingest-batch'];
  const data = entry.schema.parse({ source: { kind: 'store', prefix: `uploads/${uploadId}/` }, parameters });
  const jobId = `ingest.${uploadId}${options.rerun ? `.${options.rerun}` : ''}`;
  await ingestQueue.add('ingest-batch', data, { ...entry.options, jobId });
  return { uploadId, jobId };
}
