import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import type { BlobStore } from './blob-store.js';

/**
 * The JSON objects stored at `keys`, in their order, read STORE_REQUESTS_IN_FLIGHT at a time. With `kept`,
 * each object's bytes are kept there under its key (for a later step that digests them), and a key
 * already in it is parsed from the bytes kept instead of being read again.
 */
export async function readJsonAll<T>(store: BlobStore, keys: readonly string[], kept?: Map<string, Uint8Array>): Promise<T[]> {
  return mapInOrder(keys, STORE_REQUESTS_IN_FLIGHT, async (key) => {
    let bytes = kept?.get(key);
    if (bytes === undefined) {
      bytes = await store.get(key);
      kept?.set(key, bytes);
    }
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  });
}
