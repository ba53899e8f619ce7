import { z } from 'zod';
import { logEnv, parseEnv, redisEnv, RUN_SIDE, storageEnv } from '@shoutu/shared';

/** Configuration of the ingest worker: parsed once at start. */
export const IngestEnv = z.object({
  ...storageEnv,
  ...redisEnv,
  ...logEnv,
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /** Tiles on a side of a detect/alert job's run of neighbouring tiles (queue/tile-runs.ts). */
  DETECT_RUN_SIDE: z.coerce.number().int().min(1).max(64).default(RUN_SIDE),
});
export type IngestEnv = z.infer<typeof IngestEnv>;

export const parseIngestEnv = (env: NodeJS.ProcessEnv = process.env): IngestEnv => parseEnv(IngestEnv, env);
