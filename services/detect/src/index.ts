export { DetectEnv, parseDetectEnv } from './env.js';
export { startDetectWorker } from './worker.js';
export { handleDetectTile } from './handle-detect-tile.js';
