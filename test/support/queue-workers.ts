import { pino } from 'pino';
import { parseIngestEnv, startIngestWorker } from '@shoutu/ingest';
import { parseDetectEnv, startDetectWorker } from '@shoutu/detect';
import { parseAlertEnv, startAlertWorker } from '@shoutu/alert';
import type { S3TestServer } from './s3-server.js';

/** The services' environment for queue mode against a test Redis and S3 server (also for CLI children). */
export function queueEnv(redisUrl: string, prefix: string, s3: S3TestServer): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    SHOUTU_QUEUE_PREFIX: prefix,
    S3_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.config.accessKeyId ?? '',
    AWS_SECRET_ACCESS_KEY: s3.config.secretAccessKey ?? '',
    LOG_LEVEL: 'silent',
  };
}

/** Starts an ingest, a detect (2 jobs at once) and an alert worker in this process; close each when done. */
export function startQueueWorkers(env: Record<string, string>): Array<{ close(): Promise<void> }> {
  const logger = pino({ level: 'silent' });
  return [
    startIngestWorker(parseIngestEnv(env), logger),
    startDetectWorker(parseDetectEnv({ ...env, DETECT_CONCURRENCY: '2' }), logger),
    startAlertWorker(parseAlertEnv(env), logger),
  ];
}
