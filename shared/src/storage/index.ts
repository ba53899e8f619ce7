export {
  MAX_KEY_BYTES,
  RESERVED_SEGMENT_PREFIX,
  compareKeys,
  sortKeys,
  validateKey,
  validatePrefix,
  type BlobStore,
  type PutOptions,
} from './blob-store.js';
export { LocalBlobStore } from './local-store.js';
export { S3BlobStore, ensureBucket, type S3StoreConfig } from './s3-store.js';
export { createStore, type StoreConfig } from './create-store.js';
export { readJsonAll } from './read-json-all.js';
