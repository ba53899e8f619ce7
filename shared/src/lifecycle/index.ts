export * from './states.js';
export * from './transition.js';
export * from './deadline.js';
