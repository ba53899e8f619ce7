#!/usr/bin/env node
/**
 * Bundles the CLI and the worker-thread handlers into dist/ (esbuild; npm packages stay external), so
 * `bin/shoutu.mjs` starts without compiling TypeScript: tsx compiles each module on load, which costs the
 * CLI about 0.45 s and every worker thread about as much before any work starts.
 *
 * Run by `npm run build`, and by `npm ci` / `npm install` (the `prepare` script). Without the sources (a
 * Docker layer that installs dependencies before copying the code) it does nothing. dist/manifest.json
 * lists every source file in the bundle with its size and modification time: bin/shoutu.mjs uses the
 * bundle only while they all match, else runs the sources through tsx, so an edit never runs stale code.
 *
 * Layout: every output file sits directly in dist/ (entries and shared chunks), so code that locates a
 * file relative to its own module finds the same place from cli/ and from dist/ (both one level below the
 * repository root), and worker handlers are found next to the code that starts them (worker-handlers.ts).
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = {
  shoutu: 'cli/main.ts',
  'pair-worker': 'shared/src/pipeline/pair-worker.ts',
  'detect-tile-worker': 'shared/src/pipeline/detect-tile-worker.ts',
};

if (!existsSync(join(root, entries.shoutu))) {
  console.log('shoutu build: no sources here (dependencies-only install); skipped');
  process.exit(0);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('shoutu build: esbuild is not installed (production install); the CLI runs the sources through tsx');
  process.exit(0);
}

// npm packages stay external (resolved from node_modules at run time); the workspaces are bundled.
const external = new Set();
for (const manifest of ['package.json', 'shared/package.json', 'services/ingest/package.json', 'services/detect/package.json', 'services/alert/package.json']) {
  const pkg = JSON.parse(readFileSync(join(root, manifest), 'utf8'));
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) if (!name.startsWith('@shoutu/')) external.add(name);
  }
}

/** In the bundle, worker handlers are the bundled .mjs entries next to the running code. */
const bundledHandlers = {
  name: 'bundled-worker-handlers',
  setup(build) {
    build.onResolve({ filter: /\/worker-handlers\.js$/ }, () => ({ path: 'worker-handlers', namespace: 'shoutu-bundle' }));
    build.onLoad({ filter: /.*/, namespace: 'shoutu-bundle' }, () => ({
      contents: "export const handlerUrl = (name) => new URL(`./${name}.mjs`, import.meta.url);\n",
      loader: 'js',
    }));
  },
};

const staging = join(root, 'dist.new');
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  external: [...external],
  plugins: [bundledHandlers],
  metafile: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
const sources = Object.keys(result.metafile.inputs)
  .filter((p) => !p.startsWith('shoutu-bundle:') && !p.includes('node_modules/'))
  .sort();
const files = sources.map((p) => {
  const s = statSync(join(root, p));
  return { path: relative(root, join(root, p)), size: s.size, mtimeMs: s.mtimeMs };
});
writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify({ files }, null, 1)}\n`);
// replace dist/ in one step: a CLI starting meanwhile sees the old bundle or the new one, never half
const dist = join(root, 'dist');
const old = join(root, 'dist.old');
rmSync(old, { recursive: true, force: true });
if (existsSync(dist)) renameSync(dist, old);
renameSync(staging, dist);
rmSync(old, { recursive: true, force: true });
console.log(`shoutu build: dist/ from ${files.length} source files`);
