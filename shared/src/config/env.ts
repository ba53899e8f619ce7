import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { StoreConfig } from '../storage/index.js';

const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Storage: the local data directory, or S3 when S3_BUCKET is set. */
export const storageEnv = {
  SHOUTU_DATA_DIR: z.string().min(1).default('./data'),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
  S3_PREFIX: z.string().regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or end with "/"').default(''),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanFromString.default(true),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
};

export const redisEnv = {
  REDIS_URL: z.url().refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL'),
  /** Prefix of every BullMQ key and of the alert stream (`<prefix>:alerts`). */
  SHOUTU_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('shoutu'),
};

export const logEnv = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Parses the environment once; the first bad or missing variable is named in a ConfigError. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? '(environment)');
  const value = env[variable];
  const detail = value === undefined ? 'is not set' : `is invalid (${issue.message})`;
  throw new ConfigError(`environment variable ${variable} ${detail}`, { field: variable });
}

const StorageEnv = z.object(storageEnv);

/**
 * How to reach S3 for objects outside the store (s3:// batch prefixes and GeoTIFFs in any bucket): the
 * store's endpoint, region, path style and credentials, whether or not S3_BUCKET is set.
 */
export function s3AccessFromEnv(env: z.infer<typeof StorageEnv>): Omit<Extract<StoreConfig, { kind: 's3' }>, 'kind' | 'bucket' | 'prefix'> {
  return {
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
    ...(env.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : {}),
  };
}

export function storeConfigFromEnv(env: z.infer<typeof StorageEnv>): StoreConfig {
  if (!env.S3_BUCKET) return { kind: 'local', dir: env.SHOUTU_DATA_DIR };
  return {
    kind: 's3',
    bucket: env.S3_BUCKET,
    prefix: env.S3_PREFIX,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT } : {}),
    ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
    ...(env.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : {}),
  };
}
