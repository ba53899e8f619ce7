import type { z } from 'zod';
import type { JobsOptions } from 'bullmq';
import { AlertTilesJob, DetectTilesJob, FinalizeBatchJob, IngestBatchJob } from '../schemas/jobs.js';
import { WebhookDeliveryJob } from '../webhooks/delivery-job.js';
import { WEBHOOK_ATTEMPTS } from '../webhooks/backoff.js';

/** Queue names (BullMQ keys are `<prefix>:<queue>:…`; the prefix comes from SHOUTU_QUEUE_PREFIX). */
export const QUEUES = { ingest: 'ingest', detect: 'detect', alert: 'alert', webhook: 'webhook' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const keepHistory = { removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 }, removeOnFail: { age: 30 * 24 * 3600 } } satisfies JobsOptions;

/**
 * The one job catalog: each job name → its queue, the zod schema of its data, and default options.
 * Producers and workers both take types and validation from here, so they cannot drift apart.
 * Invalid input is never retried (workers throw UnrecoverableError); transient faults retry with
 * exponential backoff.
 */
export const jobCatalog = {
  'ingest-batch': {
    queue: QUEUES.ingest,
    schema: IngestBatchJob,
    options: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, ...keepHistory },
  },
  // A run of neighbouring tiles (queue/tile-runs.ts). On its last attempt a tile that still fails is
  // recorded on the tile and the run goes on (pipeline/tile-runs.ts).
  'detect-tiles': {
    queue: QUEUES.detect,
    schema: DetectTilesJob,
    options: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, ignoreDependencyOnFailure: true, ...keepHistory },
  },
  'alert-tiles': {
    queue: QUEUES.alert,
    schema: AlertTilesJob,
    options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, ignoreDependencyOnFailure: true, ...keepHistory },
  },
  'finalize-batch': {
    queue: QUEUES.alert,
    schema: FinalizeBatchJob,
    options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 }, ...keepHistory },
  },
  // Retries over about three days with the schedule in webhooks/backoff.ts (the worker's 'custom' strategy).
  'deliver-webhook': {
    queue: QUEUES.webhook,
    schema: WebhookDeliveryJob,
    options: { attempts: WEBHOOK_ATTEMPTS, backoff: { type: 'custom' }, removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 }, removeOnFail: { age: 30 * 24 * 3600 } },
  },
} as const satisfies Record<string, { queue: QueueName; schema: z.ZodType; options: JobsOptions }>;

export type JobName = keyof typeof jobCatalog;
export type JobData<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;

/** Job names handled by a queue's worker. */
export function jobsOfQueue(queue: QueueName): JobName[] {
  return (Object.keys(jobCatalog) as JobName[]).filter((name) => jobCatalog[name].queue === queue);
}
