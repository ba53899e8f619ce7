import { pino } from 'pino';
import { closeOnSignals, configOrExit, InvalidInputError } from '@shoutu/shared';
import { parseIngestEnv, startIngestWorker } from '@shoutu/ingest';
import { parseDetectEnv, startDetectWorker } from '@shoutu/detect';
import { parseAlertEnv, parseWebhookEnv, startAlertWorker, startWebhookWorker } from '@shoutu/alert';

/** Runs one stage as a BullMQ worker until SIGINT/SIGTERM. */
export async function runWorker(args: string[]): Promise<number> {
  const stage = args[0];
  let worker: { close(): Promise<void> };
  let level: string;
  const make = (service: string, lvl: string) => pino({ level: lvl, base: { service } });
  switch (stage) {
    case 'ingest': {
      const env = configOrExit(() => parseIngestEnv());
      level = env.LOG_LEVEL;
      worker = startIngestWorker(env, make('ingest', level));
      break;
    }
    case 'detect': {
      const env = configOrExit(() => parseDetectEnv());
      level = env.LOG_LEVEL;
      worker = startDetectWorker(env, make('detect', level));
      break;
    }
    case 'alert': {
      const env = configOrExit(() => parseAlertEnv());
      level = env.LOG_LEVEL;
      worker = startAlertWorker(env, make('alert', level));
      break;
    }
    case 'webhook': {
      const env = configOrExit(() => parseWebhookEnv());
      level = env.LOG_LEVEL;
      worker = startWebhookWorker(env, make('webhook', level));
      break;
    }
    default:
      throw new InvalidInputError('argument_invalid', `worker needs a stage: ingest, detect, alert or webhook (got ${stage ?? 'nothing'})`, { field: 'stage' });
  }
  closeOnSignals(worker, make(stage, level));
  await new Promise(() => {}); // runs until a signal closes it
  return 0;
}
