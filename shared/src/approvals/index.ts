export * from './approval-layer.js';
export * from './approval-store.js';
