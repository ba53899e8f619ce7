import { pino } from 'pino';
import { closeOnSignals, configOrExit } from '@shoutu/shared';
import { parseIngestEnv } from './env.js';
import { startIngestWorker } from './worker.js';

const env = configOrExit(() => parseIngestEnv());
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'ingest' } });
closeOnSignals(startIngestWorker(env, logger), logger);
