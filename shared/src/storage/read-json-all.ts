import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';
import type { BlobStore } from './blob-store.js';

/** The JSON objects stored at `keys`, in their order, read STORE_REQUESTS_IN_FLIGHT at a time. */
export async function readJsonAll<T>(store: BlobStore, keys: readonly string[]): Promise<T[]> {
  return mapInOrder(keys, STORE_REQUESTS_IN_FLIGHT, async (key) => JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T);
}
