import { z } from 'zod';
import { logEnv, parseEnv, redisEnv, storageEnv } from '@shoutu/shared';

/** Configuration of the alert worker: parsed once at start. */
export const AlertEnv = z.object({
  ...storageEnv,
  ...redisEnv,
  ...logEnv,
  ALERT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
});
export type AlertEnv = z.infer<typeof AlertEnv>;

export const parseAlertEnv = (env: NodeJS.ProcessEnv = process.env): AlertEnv => parseEnv(AlertEnv, env);
