export * from './standard-webhooks.js';
export * from './outbound-address.js';
