export { AlertEnv, parseAlertEnv } from './env.js';
export { startAlertWorker } from './worker.js';
export { handleAlertTiles, handleFinalizeBatch } from './handlers.js';
export { buildApiServer, storedAlerts, redisIndexedAlerts, parseServeEnv, ServeEnv, isLoopbackHost, type AlertSource } from './http/index.js';
export { WebhookEnv, parseWebhookEnv } from './webhook-env.js';
export { startWebhookWorker } from './webhook-worker.js';
export { queueLauncher, embeddedLauncher, type IngestLauncher, type UploadOptions } from './http/index.js';
