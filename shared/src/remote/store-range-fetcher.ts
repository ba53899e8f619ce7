import type { RangeFetcher } from '../raster/range-reader.js';
import type { BlobStore } from '../storage/index.js';

/** Range fetcher of a blob store key (an S3 object, or a local file): for openGeoTiff({ remote }). */
export function storeRangeFetcher(store: BlobStore, key: string): RangeFetcher {
  return { location: store.describe(key), fetch: (start, end) => store.readRange(key, start, end) };
}
