/**
 * Where the worker-thread handler modules are: next to this file, as TypeScript (started through
 * worker-entry.mjs, which registers tsx). The bundle (scripts/build.mjs) replaces this module with one
 * that points at the bundled handlers next to the running code, which worker threads start directly.
 */
export type WorkerHandler = 'pair-worker' | 'detect-tile-worker';

export const handlerUrl = (name: WorkerHandler): URL => new URL(`./${name}.ts`, import.meta.url);
