import { z } from 'zod';
import { logEnv, parseEnv, redisEnv, storageEnv, WEBHOOK_BACKOFF_BASE_MS, WEBHOOK_BACKOFF_CAP_MS } from '@shoutu/shared';

/** Configuration of the webhook delivery worker: parsed once at start. */
export const WebhookEnv = z.object({
  ...storageEnv,
  ...redisEnv,
  ...logEnv,
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Private or loopback addresses/CIDR ranges endpoints may use anyway, comma-separated. */
  WEBHOOK_ALLOW: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0)),
  WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(WEBHOOK_BACKOFF_BASE_MS),
  WEBHOOK_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(WEBHOOK_BACKOFF_CAP_MS),
  /** How long a delivery stays locked by a worker before another may take it over (a killed worker). */
  WEBHOOK_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
});
export type WebhookEnv = z.infer<typeof WebhookEnv>;

export const parseWebhookEnv = (env: NodeJS.ProcessEnv = process.env): WebhookEnv => parseEnv(WebhookEnv, env);
