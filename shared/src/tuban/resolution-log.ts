/**
 * The store's resolution log: `resolutions/<n>.json`, n = 1, 2, … with no gaps, each written once with
 * putIfAbsent (atomic on the local store and on S3), so exactly one finalisation commits each entry.
 */
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';

const ENTRY = /^resolutions\/(\d{10})\.json$/;

/** Number of the last committed entry; 0 when the log is empty. */
export async function lastLogEntry(store: BlobStore): Promise<number> {
  let last = 0;
  for (const key of await store.list(keys.resolutionLog)) {
    const match = ENTRY.exec(key);
    if (match) last = Math.max(last, Number(match[1]));
  }
  return last;
}
