import { z } from 'zod';
import { logEnv, parseEnv, redisEnv, storageEnv } from '@shoutu/shared';

/** Configuration of the detect worker: parsed once at start. */
export const DetectEnv = z.object({
  ...storageEnv,
  ...redisEnv,
  ...logEnv,
  DETECT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});
export type DetectEnv = z.infer<typeof DetectEnv>;

export const parseDetectEnv = (env: NodeJS.ProcessEnv = process.env): DetectEnv => parseEnv(DetectEnv, env);
