import { z } from 'zod';
import { logEnv, parseEnv, redisEnv, storageEnv } from '@shoutu/shared';

/** The CLI's configuration: storage always; Redis only in queue mode (REDIS_URL set). */
export const CliEnv = z.object({
  ...storageEnv,
  ...logEnv,
  REDIS_URL: redisEnv.REDIS_URL.optional(),
  SHOUTU_QUEUE_PREFIX: redisEnv.SHOUTU_QUEUE_PREFIX,
});
export type CliEnv = z.infer<typeof CliEnv>;

export const parseCliEnv = (env: NodeJS.ProcessEnv = process.env): CliEnv => parseEnv(CliEnv, env);
