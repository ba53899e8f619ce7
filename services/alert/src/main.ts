import { pino } from 'pino';
import { closeOnSignals, configOrExit } from '@shoutu/shared';
import { parseAlertEnv } from './env.js';
import { startAlertWorker } from './worker.js';

const env = configOrExit(() => parseAlertEnv());
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'alert' } });
closeOnSignals(startAlertWorker(env, logger), logger);
