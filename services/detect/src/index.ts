export { DetectEnv, parseDetectEnv } from './env.js';
export { startDetectWorker } from './worker.js';
export { handleDetectTiles } from './handle-detect-tiles.js';
