import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isInvalidInput } from '../errors.js';
import { issuePath } from '../schemas/zod-errors.js';
import { jobCatalog, type JobData, type JobName, type QueueName } from './job-catalog.js';

/** The slice of a logger that handlers use (a pino child logger fits). */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type JobHandler<N extends JobName> = (data: JobData<N>, job: Job, log: JobLogger) => Promise<unknown>;
export type HandlerMap<N extends JobName> = { [K in N]: JobHandler<K> };

export interface CatalogWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Child logger for one job (the service adds queue, job id and batch/tile fields). */
  logFor(job: Job): JobLogger;
  /** Lock and stall handling, and the 'custom' backoff strategy, for queues that need them. */
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  backoffStrategy?: (attemptsMade: number) => number;
}

/** Whether this attempt of a job is its last: a fault now fails it for good (attemptsMade counts failed attempts). */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * A BullMQ worker for one queue of the job catalog: validates each job's data with the catalog schema
 * and dispatches by job name. Bad data and InvalidInputError become UnrecoverableError (no retry);
 * anything else is retried per the catalog's options.
 */
export function createCatalogWorker<N extends JobName>(queue: QueueName, handlers: HandlerMap<N>, options: CatalogWorkerOptions): Worker {
  return new Worker(
    queue,
    async (job: Job) => {
      const log = options.logFor(job);
      const name = job.name as N;
      const entry = jobCatalog[name];
      const handler = handlers[name] as JobHandler<N> | undefined;
      if (!entry || entry.queue !== queue || !handler) throw new UnrecoverableError(`queue ${queue} has no job "${job.name}"`);
      const parsed = entry.schema.safeParse(job.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new UnrecoverableError(`job ${job.name} ${job.id}: invalid data at ${issuePath(issue.path)}: ${issue.message}`);
      }
      try {
        return await handler(parsed.data as JobData<N>, job, log);
      } catch (error) {
        if (isInvalidInput(error)) {
          log.warn({ err: error }, 'invalid input; not retrying');
          throw new UnrecoverableError(`${error.code}: ${error.message}`);
        }
        throw error;
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: true,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
      ...(options.backoffStrategy === undefined ? {} : { settings: { backoffStrategy: options.backoffStrategy } }),
    },
  );
}
