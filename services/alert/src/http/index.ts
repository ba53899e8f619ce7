export { buildApiServer, type ApiOptions } from './api-server.js';
export { storedAlerts, redisIndexedAlerts, type AlertSource } from './alert-source.js';
export { parseServeEnv, ServeEnv, isLoopbackHost } from './serve-env.js';
export type { IngestLauncher, UploadOptions } from './upload-routes.js';
export { queueLauncher, embeddedLauncher } from './ingest-launchers.js';
