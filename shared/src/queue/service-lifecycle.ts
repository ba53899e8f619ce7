import { ConfigError } from '../errors.js';

/** Parses configuration at start; a ConfigError is printed as one line and the process exits 1. */
export function configOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`shoutu: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Closes a running worker on SIGINT/SIGTERM (finishing jobs in flight), then exits. */
export function closeOnSignals(worker: { close(): Promise<void> }, log: { info(obj: object, msg?: string): void }): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'shutting down');
      void worker.close().then(() => process.exit(0));
    });
  }
}
