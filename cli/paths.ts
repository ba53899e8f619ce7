import { fileURLToPath } from 'node:url';

/**
 * The repository's fixtures folder. Resolved from this module's own place: cli/ here, dist/ in the bundle
 * (scripts/build.mjs), both one level below the repository root.
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));
