import { z } from 'zod';
import { DEFAULT_UPLOAD_LIMITS, logEnv, parseEnv, redisEnv, storageEnv } from '@shoutu/shared';

/** Configuration of the HTTP API (`npx shoutu serve`): parsed once at start. */
export const ServeEnv = z.object({
  ...storageEnv,
  ...logEnv,
  REDIS_URL: redisEnv.REDIS_URL.optional(),
  SHOUTU_QUEUE_PREFIX: redisEnv.SHOUTU_QUEUE_PREFIX,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** JSON file of team tokens (see shared/src/access/token-registry.ts). Without it the API is read-only
   *  and open, which is allowed only on a loopback HOST (a local demo). */
  SHOUTU_TOKENS_FILE: z.string().min(1).optional(),
  /** Upload limits, enforced while the bytes stream. */
  SHOUTU_UPLOAD_MAX_FILE_BYTES: z.coerce.number().int().min(1).default(DEFAULT_UPLOAD_LIMITS.maxFileBytes),
  SHOUTU_UPLOAD_MAX_BATCH_BYTES: z.coerce.number().int().min(1).default(DEFAULT_UPLOAD_LIMITS.maxBatchBytes),
});
export type ServeEnv = z.infer<typeof ServeEnv>;

export const parseServeEnv = (env: NodeJS.ProcessEnv = process.env): ServeEnv => parseEnv(ServeEnv, env);

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
