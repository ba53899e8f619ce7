// Whether dist/ (scripts/build.mjs) may run instead of the sources: every source file its manifest lists
// still has the size and modification time it had when the bundle was built. SHOUTU_FROM_SOURCE=1 says no.
import { readFileSync, statSync } from 'node:fs';

/** `root`: URL of the repository folder (ending in /). */
export function bundleIsCurrent(root, env = process.env) {
  if (env.SHOUTU_FROM_SOURCE === '1') return false;
  try {
    const { files } = JSON.parse(readFileSync(new URL('dist/manifest.json', root), 'utf8'));
    if (!Array.isArray(files) || files.length === 0) return false;
    return files.every((f) => {
      const s = statSync(new URL(f.path, root));
      return s.size === f.size && s.mtimeMs === f.mtimeMs;
    });
  } catch {
    return false; // no bundle, or a source file it lists is gone
  }
}
