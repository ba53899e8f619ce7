/**
 * Remote GeoTIFF locations: `http(s)://…` URLs and `s3://bucket/key` objects (any bucket, reached with the
 * configured S3 endpoint and credentials), and keys of a blob store, as range fetchers for openGeoTiff
 * ({ remote: fetcher }): only the header and the blocks a window needs are transferred.
 */
import { InvalidInputError } from '../errors.js';
import type { RangeFetcher } from '../raster/range-reader.js';
import { S3BlobStore, type S3StoreConfig, validateKey } from '../storage/index.js';
import { type HttpRangeOptions, httpRangeFetcher } from './http-range-fetcher.js';

/** How to reach S3 (everything of a store configuration but the bucket and prefix). */
export type S3Access = Omit<S3StoreConfig, 'bucket' | 'prefix'>;

/** True for http://, https:// and s3:// locations. */
export function isRemoteLocation(location: string): boolean {
  return /^(https?|s3):\/\//i.test(location);
}

/** s3://bucket/key → { bucket, key }; InvalidInputError naming the location otherwise. */
export function parseS3Url(location: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!match) throw new InvalidInputError('argument_invalid', `${location}: expected s3://<bucket>/<key>`, { file: location, field: 'url' });
  const [, bucket, key] = match as unknown as [string, string, string];
  try {
    validateKey(key);
  } catch (error) {
    throw new InvalidInputError('argument_invalid', `${location}: ${(error as Error).message}`, { file: location, field: 'url', cause: error });
  }
  return { bucket, key };
}

export { storeRangeFetcher } from './store-range-fetcher.js';

/**
 * Range fetcher of a remote location. s3:// needs `s3` (endpoint, region, credentials: see
 * s3AccessFromEnv); its client is released when the reader closes.
 */
export function remoteFetcher(location: string, options: { s3?: S3Access; http?: HttpRangeOptions } = {}): RangeFetcher {
  if (/^https?:\/\//i.test(location)) return httpRangeFetcher(location, options.http);
  if (!/^s3:\/\//i.test(location)) {
    throw new InvalidInputError('argument_invalid', `${location}: not a remote location (http://, https:// or s3://)`, { file: location, field: 'url' });
  }
  const { bucket, key } = parseS3Url(location);
  if (options.s3 === undefined) throw new InvalidInputError('argument_invalid', `${location}: no S3 connection settings`, { file: location, field: 'url' });
  const store = new S3BlobStore({ ...options.s3, bucket, prefix: '' });
  return { location: `s3://${bucket}/${key}`, fetch: (start, end) => store.readRange(key, start, end), close: () => store.destroy() };
}
