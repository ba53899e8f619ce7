import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BlobStore } from '../storage/index.js';
import { InvalidInputError } from '../errors.js';
import type { BatchSourceRef } from '../schemas/jobs.js';

/** The files of one uploaded batch, wherever they are. */
export interface BatchSource {
  /** Short name for messages: the folder name or the storage prefix. */
  readonly name: string;
  /** File names (no folders), sorted. */
  list(): Promise<string[]>;
  read(name: string): Promise<Uint8Array>;
  describe(name: string): string;
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
    read: async (name) => new Uint8Array(await readFile(join(dir, name))),
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
    describe: (name) => store.describe(prefix + name),
  };
}

export function openBatchSource(store: BlobStore, ref: BatchSourceRef): BatchSource {
  return ref.kind === 'dir' ? directorySource(ref.path) : storeSource(store, ref.prefix);
}
