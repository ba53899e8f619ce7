import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
/**
 * The S3 blob store. This module owns the S3 client: nothing else in shoutu constructs one.
 *
 * Compatibility notes (S3-compatible servers: MinIO, s3rver, Ceph RGW, …):
 * - Since early 2025 aws-sdk v3 computes CRC32 checksums for every upload and asks for
 *   checksum validation on download by default. Servers that do not know the
 *   x-amz-checksum-* headers (or the aws-chunked encoding used for streamed bodies) can
 *   reject or mis-store such requests, so the client only does this when an operation
 *   requires it ('WHEN_REQUIRED'). Bodies are always sent as byte arrays with a known length.
 * - Conditional writes (PutObject If-None-Match: '*') are supported by AWS S3 (since 2024)
 *   and current MinIO. s3rver 3.7 silently ignores the header and overwrites (HTTP 200), so
 *   support cannot be detected from a single response. Configure `conditionalWrites: false`
 *   for such servers; a 501 NotImplemented answer also switches the store to the fallback.
 *   The fallback (HEAD, then PUT) is serialised per key inside this process but races
 *   across processes: two services may both "win" and the later write replaces the earlier.
 * - s3rver 3.7 lists keys in directory-walk order, not byte order, and its continuation
 *   tokens assume that order; paging is exact only for keys whose order agrees (e.g. keys
 *   of one folder). list() sorts the collected keys itself in byte order in any case.
 */
import type { BucketLocationConstraint, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

import { ConfigError, InvalidInputError, NotFoundError, RemoteReadError } from '../errors.js';
import { expectRange, idleTimer, readBodyExactly } from '../remote/range-answer.js';
import { sortKeys, toBytes, validateKey, validatePrefix, type BlobStore, type PutOptions } from './blob-store.js';

export interface S3StoreConfig {
  bucket: string;
  /** Key prefix inside the bucket ('' or e.g. 'shoutu/prod'); a trailing '/' is added if missing. */
  prefix?: string;
  /** Custom endpoint for S3-compatible servers, e.g. http://minio:9000. Omit for AWS. */
  endpoint?: string;
  region: string;
  /** Path-style URLs (http://host/bucket/key); needed for MinIO and s3rver. */
  forcePathStyle: boolean;
  /** Static credentials; when omitted the AWS default provider chain is used (env, profile, IMDS…). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Keys per ListObjectsV2 page, 1..1000 (default 1000). */
  pageSize?: number;
  /** Longest silence while reading a range (readRange) before it fails, in ms (default 30000). */
  rangeTimeoutMs?: number;
  /**
   * Whether the server honours PutObject If-None-Match: '*' (default true). Set false for
   * servers that ignore it (s3rver); putIfAbsent then uses HEAD-then-PUT (see module notes).
   */
  conditionalWrites?: boolean;
}

type S3Sdk = typeof import('@aws-sdk/client-s3');
interface S3Connection {
  client: S3Client;
  sdk: S3Sdk;
}

// The AWS SDK loads with a store's first request (about 0.15 s of start-up): a process that stores
// locally (embedded mode, `shoutu detect`, worker threads on a local store) never loads it.
let sdkModule: Promise<S3Sdk> | null = null;
const loadSdk = (): Promise<S3Sdk> => (sdkModule ??= import('@aws-sdk/client-s3'));

/** Builds the S3 client for a store configuration. */
async function createS3Client(config: S3StoreConfig): Promise<S3Connection> {
  const sdk = await loadSdk();
  const options: S3ClientConfig = {
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (config.endpoint !== undefined && config.endpoint !== '') options.endpoint = config.endpoint;
  if (config.accessKeyId !== undefined && config.secretAccessKey !== undefined) {
    options.credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey };
  }
  return { client: new sdk.S3Client(options), sdk };
}

/** Validates the configuration, throwing ConfigError naming the field. */
function checkConfig(config: S3StoreConfig): void {
  if (typeof config.bucket !== 'string' || config.bucket.trim() === '') {
    throw new ConfigError('S3 store: bucket is required', { field: 'bucket' });
  }
  if (typeof config.region !== 'string' || config.region.trim() === '') {
    throw new ConfigError('S3 store: region is required (e.g. us-east-1)', { field: 'region' });
  }
  if (typeof config.forcePathStyle !== 'boolean') {
    throw new ConfigError('S3 store: forcePathStyle must be true or false', { field: 'forcePathStyle' });
  }
  if (config.endpoint !== undefined && config.endpoint !== '') {
    let url: URL | undefined;
    try {
      url = new URL(config.endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`S3 store: endpoint ${JSON.stringify(config.endpoint)} is not an http(s) URL`, {
        field: 'endpoint',
      });
    }
  }
  const hasKey = config.accessKeyId !== undefined && config.accessKeyId !== '';
  const hasSecret = config.secretAccessKey !== undefined && config.secretAccessKey !== '';
  if (hasKey !== hasSecret) {
    throw new ConfigError('S3 store: accessKeyId and secretAccessKey must be given together', {
      field: hasKey ? 'secretAccessKey' : 'accessKeyId',
    });
  }
  if (config.pageSize !== undefined) {
    if (!Number.isInteger(config.pageSize) || config.pageSize < 1 || config.pageSize > 1000) {
      throw new ConfigError(`S3 store: pageSize must be an integer from 1 to 1000, got ${config.pageSize}`, {
        field: 'pageSize',
      });
    }
  }
}

/** '' stays ''; 'a/b' and '/a/b/' become 'a/b/'. Throws ConfigError if not a valid key path. */
function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined) return '';
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  try {
    validateKey(trimmed);
  } catch (error) {
    throw new ConfigError(`S3 store: prefix ${JSON.stringify(prefix)} is not a valid key path`, {
      field: 'prefix',
      cause: error,
    });
  }
  return trimmed + '/';
}

interface AwsErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function awsError(error: unknown): { name: string; status: number | undefined } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorLike;
  return { name: e.name ?? e.Code ?? '', status: e.$metadata?.httpStatusCode };
}

function isMissingBucket(error: unknown): boolean {
  return awsError(error).name === 'NoSuchBucket';
}

function isMissingKey(error: unknown): boolean {
  const { name, status } = awsError(error);
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

/** Per-key serialisation for the HEAD-then-PUT fallback (within this process only). */
const fallbackLocks = new Map<string, Promise<unknown>>();

async function withKeyLock<T>(lockKey: string, task: () => Promise<T>): Promise<T> {
  const previous = fallbackLocks.get(lockKey) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  fallbackLocks.set(lockKey, tail);
  try {
    return await run;
  } finally {
    if (fallbackLocks.get(lockKey) === tail) fallbackLocks.delete(lockKey);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** Normalised key prefix inside the bucket: '' or ending in '/'. */
  readonly prefix: string;
  private readonly config: S3StoreConfig;
  private connection: Promise<S3Connection> | null = null;
  private readonly pageSize: number;
  private conditionalWrites: boolean;
  private readonly lockScope: string;
  private readonly rangeTimeoutMs: number;

  constructor(config: S3StoreConfig) {
    checkConfig(config);
    this.bucket = config.bucket;
    this.prefix = normalizePrefix(config.prefix);
    this.pageSize = config.pageSize ?? 1000;
    this.conditionalWrites = config.conditionalWrites ?? true;
    this.config = config;
    this.lockScope = `${config.endpoint ?? 'aws'}|${config.region}|${this.bucket}|`;
    this.rangeTimeoutMs = config.rangeTimeoutMs ?? 30_000;
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.fullKey(key)}`;
  }

  localPath(key: string): null {
    validateKey(key);
    return null;
  }

  async put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void> {
    const Key = this.fullKey(key);
    const Body = toBytes(body);
    // A single PutObject is atomic on S3: the object appears complete or not at all.
    await this.send(key, async () => {
      const { client, sdk } = await this.s3();
      return client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentType: options?.contentType }));
    });
  }

  async putFile(key: string, localPath: string, options?: PutOptions): Promise<void> {
    const Key = this.fullKey(key);
    const { size } = await stat(localPath);
    // One PutObject from a file stream (objects up to 5 GB): atomic like put, never held in memory.
    await this.send(key, async () => {
      const { client, sdk } = await this.s3();
      return client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(localPath), ContentLength: size, ContentType: options?.contentType }));
    });
  }

  /** A URL that lets its holder PUT this one key for `expiresInSeconds` (uploads straight to S3). */
  async presignPut(key: string, expiresInSeconds: number, contentType?: string): Promise<string> {
    const [{ client, sdk }, { getSignedUrl }] = await Promise.all([this.s3(), import('@aws-sdk/s3-request-presigner')]);
    return getSignedUrl(client, new sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), ContentType: contentType }), { expiresIn: expiresInSeconds });
  }

  async putIfAbsent(key: string, body: Uint8Array | string, options?: PutOptions): Promise<boolean> {
    const Key = this.fullKey(key);
    const Body = toBytes(body);
    if (this.conditionalWrites) {
      const { client, sdk } = await this.s3();
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(
            new sdk.PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentType: options?.contentType, IfNoneMatch: '*' }),
          );
          return true;
        } catch (error) {
          const { name, status } = awsError(error);
          if (status === 412 || name === 'PreconditionFailed') return false;
          // AWS: a concurrent conditional write to the same key was in flight; retry, and
          // the retry answers 412 if the other writer won.
          if ((status === 409 || name === 'ConditionalRequestConflict') && attempt < 5) {
            await sleep(50 * attempt);
            continue;
          }
          if (status === 501 || name === 'NotImplemented') {
            this.conditionalWrites = false;
            break;
          }
          throw this.mapError(key, error);
        }
      }
    }
    // Fallback for servers without conditional writes. RACE: HEAD and PUT are two requests;
    // another process can create the key in between, and then both callers return true and
    // the later PUT replaces the earlier object. The lock only orders callers in this process.
    return withKeyLock(this.lockScope + Key, async () => {
      if (await this.exists(key)) return false;
      await this.put(key, Body, options);
      return true;
    });
  }

  async get(key: string): Promise<Uint8Array> {
    const bytes = await this.getOrNull(key);
    if (bytes === null) {
      throw new NotFoundError(`No object at storage key "${key}" (${this.describe(key)})`, { file: key });
    }
    return bytes;
  }

  async getOrNull(key: string): Promise<Uint8Array | null> {
    const Key = this.fullKey(key);
    const { client, sdk } = await this.s3();
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      if (response.Body === undefined) return new Uint8Array(0);
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isMissingKey(error)) return null;
      throw this.mapError(key, error);
    }
  }

  async readRange(key: string, start: number, end: number): Promise<{ bytes: Uint8Array; size: number }> {
    const Key = this.fullKey(key);
    const where = this.describe(key);
    if (!(end > start)) {
      const size = await this.sizeOf(key);
      if (size === null) throw new NotFoundError(`No object at storage key "${key}" (${where})`, { file: key });
      return { bytes: new Uint8Array(0), size };
    }
    const { client, sdk } = await this.s3();
    const controller = new AbortController();
    const idle = idleTimer(this.rangeTimeoutMs, () => controller.abort());
    idle.arm();
    let response;
    try {
      response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: controller.signal });
    } catch (error) {
      idle.disarm();
      if (isMissingKey(error)) throw new NotFoundError(`No object at storage key "${key}" (${where})`, { file: key });
      if (awsError(error).status === 416) {
        throw new InvalidInputError('range_unsupported', `${where}: the server refused the range ${start}-${end - 1} (HTTP 416; is the object empty?)`, { file: where });
      }
      if (idle.fired) throw new RemoteReadError(`${where}: no answer within ${this.rangeTimeoutMs} ms`, { file: where, cause: error });
      throw this.mapError(key, error);
    }
    const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    const cancel = () => {
      controller.abort();
      body?.destroy?.();
    };
    if (response.ContentRange === undefined) {
      cancel();
      idle.disarm();
      throw new InvalidInputError('range_unsupported', `${where}: the server ignored the Range request (no Content-Range in the answer)`, { file: where });
    }
    let expected;
    try {
      expected = expectRange(where, response.ContentRange, start, end);
    } catch (error) {
      cancel();
      idle.disarm();
      throw error;
    }
    if (body === undefined) {
      idle.disarm();
      throw new RemoteReadError(`${where}: the range answer has no body`, { file: where });
    }
    try {
      return { bytes: await readBodyExactly(body, expected.length, where, idle, cancel), size: expected.size };
    } catch (error) {
      if (error instanceof InvalidInputError || error instanceof RemoteReadError) throw error;
      const message = idle.fired ? `no body bytes for ${this.rangeTimeoutMs} ms` : `reading the answer failed (${(error as Error).message})`;
      throw new RemoteReadError(`${where}: ${message}`, { file: where, cause: error });
    }
  }

  async exists(key: string): Promise<boolean> {
    const Key = this.fullKey(key);
    const { client, sdk } = await this.s3();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      // HEAD responses have no body, so a missing bucket also looks like a plain 404 here.
      if (isMissingKey(error)) return false;
      throw this.mapError(key, error);
    }
  }

  async sizeOf(key: string): Promise<number | null> {
    const Key = this.fullKey(key);
    const { client, sdk } = await this.s3();
    try {
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissingKey(error)) return null;
      throw this.mapError(key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const fullPrefix = this.prefix + prefix;
    const keys: string[] = [];
    let token: string | undefined;
    const { client, sdk } = await this.s3();
    do {
      const page = await this.send(prefix, () =>
        client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: fullPrefix === '' ? undefined : fullPrefix,
            MaxKeys: this.pageSize,
            ContinuationToken: token,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && object.Key.startsWith(fullPrefix)) {
          keys.push(object.Key.slice(this.prefix.length));
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated && token === undefined) {
        throw new Error(`S3 list of ${this.describePrefix(prefix)} was truncated without a continuation token`);
      }
    } while (token !== undefined);
    return sortKeys(keys);
  }

  async delete(key: string): Promise<void> {
    const Key = this.fullKey(key);
    // DeleteObject answers 204 for missing keys too.
    await this.send(key, async () => {
      const { client, sdk } = await this.s3();
      return client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key }));
    });
  }

  /** Releases the client's sockets. The store must not be used afterwards. */
  destroy(): void {
    void this.connection?.then(
      ({ client }) => client.destroy(),
      () => undefined,
    );
  }

  // --- internals -----------------------------------------------------------------------

  /** The client, made on first use. */
  private s3(): Promise<S3Connection> {
    return (this.connection ??= createS3Client(this.config));
  }

  private fullKey(key: string): string {
    validateKey(key);
    return this.prefix + key;
  }

  private describePrefix(prefix: string): string {
    return `s3://${this.bucket}/${this.prefix}${prefix}`;
  }

  private async send<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.mapError(key, error);
    }
  }

  private mapError(key: string, error: unknown): unknown {
    if (isMissingBucket(error)) {
      return new ConfigError(
        `S3 bucket "${this.bucket}" does not exist (while accessing ${this.describePrefix(key)}); ` +
          'create it first (ensureBucket, or the minio-init service in docker-compose)',
        { field: 'bucket', file: key, cause: error },
      );
    }
    return error;
  }
}

/**
 * Creates the bucket if it does not exist yet (idempotent). For tests, the CLI and compose
 * setups; production buckets are normally provisioned outside shoutu.
 */
export async function ensureBucket(config: S3StoreConfig): Promise<void> {
  checkConfig(config);
  const { client, sdk } = await createS3Client(config);
  const Bucket = config.bucket;
  const where = `bucket "${Bucket}"${config.endpoint ? ` at ${config.endpoint}` : ''}`;
  const headBucket = async (): Promise<'exists' | 'missing'> => {
    try {
      await client.send(new sdk.HeadBucketCommand({ Bucket }));
      return 'exists';
    } catch (error) {
      const { name, status } = awsError(error);
      if (status === 404 || name === 'NotFound' || name === 'NoSuchBucket') return 'missing';
      throw new ConfigError(`S3 ${where} is not accessible: ${(error as Error).message || name}`, {
        field: 'bucket',
        cause: error,
      });
    }
  };
  try {
    if ((await headBucket()) === 'exists') return;
    try {
      await client.send(
        new sdk.CreateBucketCommand({
          Bucket,
          // us-east-1 is the default location and must not be named explicitly.
          ...(config.region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: config.region as BucketLocationConstraint } }),
        }),
      );
    } catch (error) {
      const { name } = awsError(error);
      if (name === 'BucketAlreadyOwnedByYou') return;
      // Created concurrently by someone else we can use (s3rver answers BucketAlreadyExists
      // even for its own buckets), or taken by another account (then HEAD fails).
      if (name === 'BucketAlreadyExists' && (await headBucket()) === 'exists') return;
      throw new ConfigError(`Could not create S3 ${where}: ${(error as Error).message || name}`, {
        field: 'bucket',
        cause: error,
      });
    }
  } finally {
    client.destroy();
  }
}
