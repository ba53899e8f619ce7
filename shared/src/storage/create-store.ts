import { ConfigError } from '../errors.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-store.js';
import { S3BlobStore, type S3StoreConfig } from './s3-store.js';

export type StoreConfig = { kind: 'local'; dir: string } | ({ kind: 's3' } & S3StoreConfig);

/** Builds the blob store for a configuration. Throws ConfigError for malformed configurations. */
export function createStore(config: StoreConfig): BlobStore {
  switch (config?.kind) {
    case 'local':
      if (typeof config.dir !== 'string' || config.dir.trim() === '') {
        throw new ConfigError('Local store: dir is required', { field: 'dir' });
      }
      return new LocalBlobStore(config.dir);
    case 's3': {
      const { kind: _kind, ...s3 } = config;
      return new S3BlobStore(s3);
    }
    default:
      throw new ConfigError(
        `Unknown store kind ${JSON.stringify((config as { kind?: unknown } | undefined)?.kind)} (expected 'local' or 's3')`,
        { field: 'kind' },
      );
  }
}
