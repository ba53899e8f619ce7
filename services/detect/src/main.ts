import { pino } from 'pino';
import { closeOnSignals, configOrExit } from '@shoutu/shared';
import { parseDetectEnv } from './env.js';
import { startDetectWorker } from './worker.js';

const env = configOrExit(() => parseDetectEnv());
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'detect' } });
closeOnSignals(startDetectWorker(env, logger), logger);
