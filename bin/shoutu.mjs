#!/usr/bin/env node
// Runs the CLI from the bundle in dist/ (scripts/build.mjs, made by `npm ci` / `npm run build`) while
// every source file in it is unchanged since it was built; otherwise, or with SHOUTU_FROM_SOURCE=1, runs
// the TypeScript sources through tsx, which compiles them on load (slower to start, never stale).
import { bundleIsCurrent } from './bundle.mjs';

if (bundleIsCurrent(new URL('../', import.meta.url))) {
  await import('../dist/shoutu.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
