export * from './alert-query.js';
export * from './flat-alert.js';
export * from './alert-table.js';
export * from './redis-index.js';
