export * from './region-scope.js';
export * from './roles.js';
export * from './token-registry.js';
