export { AlertEnv, parseAlertEnv } from './env.js';
export { startAlertWorker } from './worker.js';
export { handleAlertTile, handleFinalizeBatch } from './handlers.js';
