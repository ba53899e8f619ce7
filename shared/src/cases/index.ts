export * from './case-store.js';
