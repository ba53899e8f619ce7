export * from './standard-webhooks.js';
export * from './outbound-address.js';
export * from './endpoints.js';
export * from './backoff.js';
export * from './deliver.js';
export * from './delivery-job.js';
export * from './enqueue.js';
