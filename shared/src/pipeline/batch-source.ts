import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { S3BlobStore, type BlobStore, type S3StoreConfig } from '../storage/index.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { BatchSourceRef } from '../schemas/jobs.js';
import { readBytes } from '../util/read-bytes.js';

/** The files of one uploaded batch, wherever they are. */
export interface BatchSource {
  /** Short name for messages: the folder name or the storage prefix. */
  readonly name: string;
  /** File names (no folders), sorted. */
  list(): Promise<string[]>;
  read(name: string): Promise<Uint8Array>;
  /**
   * The file on the local file system, for streaming reads (scenes of gigabytes are never held in memory):
   * the file itself when it is local, else a temporary copy that `release` removes.
   */
  localFile(name: string): Promise<LocalFile>;
  describe(name: string): string;
}

export interface LocalFile {
  path: string;
  release(): Promise<void>;
}

export function directorySource(path: string): BatchSource {
  const dir = resolve(path);
  return {
    name: basename(dir),
    async list() {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch (error) {
        throw new InvalidInputError('batch_unreadable', `${dir}: cannot read the batch folder (${(error as Error).message})`, { file: dir, cause: error });
      }
      const files: string[] = [];
      for (const e of entries.sort()) if ((await stat(join(dir, e))).isFile()) files.push(e);
      return files;
    },
    read: async (name) => readBytes(join(dir, name)),
    localFile: async (name) => ({ path: join(dir, name), release: async () => undefined }),
    describe: (name) => join(dir, name),
  };
}

export function storeSource(store: BlobStore, prefix: string): BatchSource {
  return {
    name: prefix.replace(/\/$/, ''),
    async list() {
      const keys = await store.list(prefix);
      return keys.map((k) => k.slice(prefix.length)).filter((k) => !k.includes('/'));
    },
    read: (name) => store.get(prefix + name),
    async localFile(name) {
      const path = store.localPath(prefix + name);
      if (path !== null) return { path, release: async () => undefined };
      const dir = await mkdtemp(join(tmpdir(), 'shoutu-batch-file-'));
      const copy = join(dir, 'file');
      try {
        await copyToFile(store, prefix + name, copy);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      return { path: copy, release: () => rm(dir, { recursive: true, force: true }) };
    },
    describe: (name) => store.describe(prefix + name),
  };
}

/** Bytes per range request when copying a stored object to a local file. */
const COPY_RANGE_BYTES = 8 * 1024 * 1024;

/** Copies a stored object to a new local file range by range: memory stays bounded whatever its size. */
async function copyToFile(store: BlobStore, key: string, path: string): Promise<void> {
  const size = await store.sizeOf(key);
  if (size === null) throw new NotFoundError(`No object at storage key "${key}" (${store.describe(key)})`, { file: key });
  const handle = await open(path, 'wx');
  try {
    for (let at = 0; at < size; at += COPY_RANGE_BYTES) {
      const part = await store.readRange(key, at, Math.min(at + COPY_RANGE_BYTES, size));
      if (part.size !== size) {
        throw new InvalidInputError('remote_changed', `${store.describe(key)}: the object changed while being read (size ${size}, now ${part.size})`, { file: key });
      }
      await handle.write(part.bytes, 0, part.bytes.byteLength, at);
    }
  } finally {
    await handle.close();
  }
}

/**
 * A batch under s3://bucket/prefix/ in any bucket (not only the store's), reached with the S3 settings
 * of the environment (endpoint, region, credentials). close() releases the client.
 */
export function s3BatchSource(bucket: string, prefix: string, access: Omit<S3StoreConfig, 'bucket' | 'prefix'>): BatchSource & { close(): void } {
  const store = new S3BlobStore({ ...access, bucket, prefix: '' });
  return { ...storeSource(store, prefix), name: `s3://${bucket}/${prefix}`.replace(/\/$/, ''), close: () => store.destroy() };
}

export function openBatchSource(store: BlobStore, ref: BatchSourceRef): BatchSource {
  return ref.kind === 'dir' ? directorySource(ref.path) : storeSource(store, ref.prefix);
}
