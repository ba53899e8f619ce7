/**
 * Builds the optional libdeflate addon (inflate.c) when libdeflate's header is installed (Debian:
 * libdeflate-dev), with the node-gyp that ships with npm. Never fails the install: without the addon,
 * Deflate blocks are decoded by node's zlib (the same bytes, about 1.6 times slower). Run by the root
 * package's `prepare` (so by `npm ci`) and by hand: `node shared/native/build.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (line) => process.stdout.write(`shoutu native inflate: ${line}\n`);
const header = ['/usr/include/libdeflate.h', '/usr/local/include/libdeflate.h'].find((p) => existsSync(p));

if (!header) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  say("libdeflate.h not found (apt-get install libdeflate-dev): Deflate blocks are decoded by node's zlib");
} else {
  // npm's own node-gyp: next to the npm that runs this (npm_execpath), or to node's global npm
  const prefix = join(dirname(process.execPath), '..');
  const gyps = [
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter((p) => p && existsSync(p));
  const [command, args] = gyps.length > 0 ? [process.execPath, [gyps[0]]] : ['node-gyp', []];
  // node's headers: npm's setting, else those installed beside this node (no download: the build is offline)
  const dir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null);
  const nodedir = dir ? [`--nodedir=${dir}`] : [];
  const run = spawnSync(command, [...args, 'rebuild', ...nodedir], { cwd: here, encoding: 'utf8' });
  if (run.status === 0) say(`built against ${header}`);
  else {
    rmSync(join(here, 'build'), { recursive: true, force: true });
    const reason = run.error ? run.error.message : (run.stderr || run.stdout).trim().split('\n').filter((l) => /ERR|error/.test(l)).slice(0, 3).join(' | ');
    say(`not built (${reason || `exit ${run.status}`}): Deflate blocks are decoded by node's zlib`);
  }
}
