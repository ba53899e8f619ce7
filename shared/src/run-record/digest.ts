import { createHash } from 'node:crypto';
import { NotFoundError } from '../errors.js';
import type { BlobStore } from '../storage/index.js';
import { sha256Hex } from '../util/sha256.js';

/** A stored object's key and the SHA-256 of its bytes, as run records list inputs and outputs. */
export interface Digest {
  key: string;
  sha256: string;
}

/** The digest of a small object, read whole (or its bytes, when the caller has just read them). */
export async function digest(store: BlobStore, key: string, bytes?: Uint8Array): Promise<Digest> {
  return { key, sha256: sha256Hex(bytes ?? (await store.get(key))) };
}

/** Bytes a large object is hashed by at a time (digestByRanges). */
export const DIGEST_RANGE_BYTES = 8 * 1024 * 1024;

/** The digest of an object that may be gigabytes (a resampled scene), read range by range, never whole. */
export async function digestByRanges(store: BlobStore, key: string, rangeBytes = DIGEST_RANGE_BYTES): Promise<Digest> {
  const size = await store.sizeOf(key);
  if (size === null) throw new NotFoundError(`No object at storage key "${key}" (${store.describe(key)})`, { file: key });
  const hash = createHash('sha256');
  for (let start = 0; start < size; start += rangeBytes) {
    const range = await store.readRange(key, start, Math.min(size, start + rangeBytes));
    if (range.size !== size) throw new Error(`${store.describe(key)} changed size while it was hashed (${size} → ${range.size} bytes)`);
    hash.update(range.bytes);
  }
  return { key, sha256: hash.digest('hex') };
}
