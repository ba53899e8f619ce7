/**
 * Batches uploaded over HTTP. An upload session collects a batch's files under `uploads/<id>/` (the
 * same place `shoutu ingest` puts a folder in queue mode), streamed through a staging file with the
 * size limits enforced while the bytes arrive; committing validates the manifest and the region
 * against the uploader's scope, then hands the prefix to ingest. The session's file list is the
 * storage listing itself, so parallel uploads cannot lose each other's files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { BatchFileName, BatchManifest, RegionCode } from '../schemas/manifest.js';
import { regionWithin } from '../access/region-scope.js';
import { stableJson } from '../util/stable-json.js';
import { issuePath } from '../schemas/zod-errors.js';

export const UploadSession = z
  .object({
    uploadId: z.string().regex(/^[0-9a-f]{16}$/),
    team: z.string().min(1),
    /** The uploader's regions: the batch's region code must lie within one of them. */
    regions: z.array(RegionCode),
    createdAt: z.string(),
  })
  .strict();
export type UploadSession = z.infer<typeof UploadSession>;

export interface UploadLimits {
  maxFileBytes: number;
  maxBatchBytes: number;
  maxFiles: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxFileBytes: 20 * 2 ** 30, maxBatchBytes: 200 * 2 ** 30, maxFiles: 1000 };

/** A refused upload: `status` is the HTTP status that says why (400, 404, 409, 413). */
export class UploadError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

const sessionKey = (id: string) => `upload-sessions/${id}.json`;
const commitKey = (id: string) => `upload-sessions/${id}.commit.json`;
const uploadPrefix = (id: string) => `uploads/${id}/`;

export async function createUploadSession(store: BlobStore, team: string, regions: readonly string[], now: Date): Promise<UploadSession> {
  const session: UploadSession = { uploadId: randomBytes(8).toString('hex'), team, regions: [...regions], createdAt: now.toISOString() };
  await store.put(sessionKey(session.uploadId), stableJson(session, 2), { contentType: 'application/json' });
  return session;
}

export async function getUploadSession(store: BlobStore, uploadId: string): Promise<UploadSession | null> {
  if (!/^[0-9a-f]{16}$/.test(uploadId)) return null;
  const bytes = await store.getOrNull(sessionKey(uploadId));
  return bytes ? UploadSession.parse(JSON.parse(Buffer.from(bytes).toString('utf8'))) : null;
}

export interface UploadedFile {
  name: string;
  bytes: number;
}

export async function listUploadedFiles(store: BlobStore, uploadId: string): Promise<UploadedFile[]> {
  const prefix = uploadPrefix(uploadId);
  const out: UploadedFile[] = [];
  for (const key of await store.list(prefix)) out.push({ name: key.slice(prefix.length), bytes: (await store.sizeOf(key)) ?? 0 });
  return out;
}

export interface CommitRecord {
  uploadId: string;
  batchId: string;
  regionCode: string;
  committedAt: string;
}

export async function getCommit(store: BlobStore, uploadId: string): Promise<CommitRecord | null> {
  const bytes = await store.getOrNull(commitKey(uploadId));
  return bytes ? (JSON.parse(Buffer.from(bytes).toString('utf8')) as CommitRecord) : null;
}

function checkFileName(name: string): void {
  if (name === 'batch.json') return;
  const parsed = BatchFileName.safeParse(name);
  if (!parsed.success) throw new UploadError(400, 'name', `file name "${name}": ${parsed.error.issues[0]!.message} (or batch.json)`);
}

/**
 * Streams one file of the batch into storage. `declaredBytes` (Content-Length) is checked first;
 * the count is enforced as the bytes arrive either way, and nothing is stored unless the whole
 * file arrived within the limits. Returns the stored size and SHA-256.
 */
export async function receiveUploadFile(
  store: BlobStore,
  session: UploadSession,
  name: string,
  body: Readable,
  limits: UploadLimits,
  declaredBytes?: number,
): Promise<{ name: string; bytes: number; sha256: string }> {
  checkFileName(name);
  if (await getCommit(store, session.uploadId)) throw new UploadError(409, 'uploadId', `upload ${session.uploadId} is already committed`);
  const existing = await listUploadedFiles(store, session.uploadId);
  const others = existing.filter((f) => f.name !== name);
  if (others.length + 1 > limits.maxFiles) throw new UploadError(413, 'files', `a batch holds at most ${limits.maxFiles} files`);
  const room = Math.min(limits.maxFileBytes, limits.maxBatchBytes - others.reduce((n, f) => n + f.bytes, 0));
  const tooBig = () => new UploadError(413, 'body', `${name} is larger than the ${room} bytes allowed (per file ${limits.maxFileBytes}, per batch ${limits.maxBatchBytes})`);
  if (declaredBytes !== undefined && declaredBytes > room) {
    body.resume(); // drain what the client sends; the answer is already known
    throw tooBig();
  }
  const staging = await fs.mkdtemp(join(tmpdir(), 'shoutu-upload-'));
  const file = join(staging, 'body');
  const hash = createHash('sha256');
  let count = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count += chunk.length;
      if (count > room) return callback(tooBig());
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file, { flags: 'wx' }));
    if (declaredBytes !== undefined && count !== declaredBytes) throw new UploadError(400, 'body', `${name}: received ${count} bytes, Content-Length said ${declaredBytes}`);
    await store.putFile(keys.upload(session.uploadId, name), file);
    return { name, bytes: count, sha256: hash.digest('hex') };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Validates the batch (manifest, files present, region within the uploader's scope) and records the
 * commit once. A second commit returns the first record.
 */
export async function commitUpload(store: BlobStore, session: UploadSession, now: Date): Promise<{ record: CommitRecord; created: boolean }> {
  const done = await getCommit(store, session.uploadId);
  if (done) return { record: done, created: false };
  const files = await listUploadedFiles(store, session.uploadId);
  const manifestBytes = await store.getOrNull(keys.upload(session.uploadId, 'batch.json'));
  if (!manifestBytes) throw new UploadError(400, 'batch.json', 'the batch has no batch.json');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(manifestBytes).toString('utf8'));
  } catch (error) {
    throw new UploadError(400, 'batch.json', `batch.json is not JSON: ${(error as Error).message}`);
  }
  const parsed = BatchManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UploadError(400, `batch.json ${issuePath(issue.path)}`, `batch.json ${issuePath(issue.path)}: ${issue.message}`);
  }
  const manifest = parsed.data;
  if (!session.regions.some((r) => regionWithin(manifest.regionCode, r))) {
    throw new UploadError(403, 'batch.json regionCode', `region ${manifest.regionCode} is outside team ${session.team}'s scope`);
  }
  const images = files.filter((f) => f.name !== 'batch.json').map((f) => f.name);
  const wanted = manifest.files ?? images;
  const missing = wanted.filter((n) => !images.includes(n));
  if (wanted.length === 0) throw new UploadError(400, 'files', 'the batch has no GeoTIFF files');
  if (missing.length) throw new UploadError(400, 'batch.json files', `batch.json lists files that were not uploaded: ${missing.join(', ')}`);
  const record: CommitRecord = { uploadId: session.uploadId, batchId: manifest.batchId, regionCode: manifest.regionCode, committedAt: now.toISOString() };
  const created = await store.putIfAbsent(commitKey(session.uploadId), stableJson(record, 2), { contentType: 'application/json' });
  return { record: created ? record : (await getCommit(store, session.uploadId))!, created };
}

export { uploadPrefix };
