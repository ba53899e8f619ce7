import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module of the launcher (no types)
import { bundleIsCurrent } from '../../bin/bundle.mjs';
import { fixture, REPO_ROOT } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';

const isCurrent = bundleIsCurrent as (root: URL, env?: Record<string, string | undefined>) => boolean;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-bundle-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the launcher runs the bundle only while it matches the sources', () => {
  it('a changed, resized or missing source file, a missing manifest, or SHOUTU_FROM_SOURCE=1 mean the sources', async () => {
    const root = join(work, 'repo');
    await mkdir(join(root, 'dist'), { recursive: true });
    await mkdir(join(root, 'cli'), { recursive: true });
    const url = pathToFileURL(`${root}/`);
    expect(isCurrent(url, {})).toBe(false); // no manifest
    const files = ['cli/main.ts', 'cli/other.ts'];
    for (const f of files) await writeFile(join(root, f), `export const name = '${f}';\n`);
    const manifest = async () => {
      const entries = await Promise.all(files.map(async (path) => ({ path, size: (await stat(join(root, path))).size, mtimeMs: (await stat(join(root, path))).mtimeMs })));
      await writeFile(join(root, 'dist', 'manifest.json'), JSON.stringify({ files: entries }));
    };
    await manifest();
    expect(isCurrent(url, {})).toBe(true);
    expect(isCurrent(url, { SHOUTU_FROM_SOURCE: '1' })).toBe(false);
    // touched (an edit), then rebuilt
    await utimes(join(root, 'cli/other.ts'), new Date(), new Date(Date.now() + 5000));
    expect(isCurrent(url, {})).toBe(false);
    await manifest();
    expect(isCurrent(url, {})).toBe(true);
    // same modification time, different size
    const before = await stat(join(root, 'cli/main.ts'));
    await writeFile(join(root, 'cli/main.ts'), 'export const name = "changed, longer";\n');
    await utimes(join(root, 'cli/main.ts'), before.atime, before.mtime);
    expect(isCurrent(url, {})).toBe(false);
    await manifest();
    await rm(join(root, 'cli/other.ts'));
    expect(isCurrent(url, {})).toBe(false);
  });

  it('the bundle and the sources write byte-identical detect outputs', async () => {
    const root = pathToFileURL(REPO_ROOT);
    if (!isCurrent(root, {})) {
      const build = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(build.status, build.stderr).toBe(0);
    }
    expect(isCurrent(root, {})).toBe(true);
    const outputs: Buffer[][] = [];
    for (const fromSource of ['0', '1']) {
      const out = join(work, `out-${fromSource}`);
      const r = runShoutu(
        ['detect', '--before', fixture('taizhou', '2000-03-17', 'scene.tif'), '--after', fixture('taizhou', '2003-02-06', 'scene.tif'),
          '--bands', 'blue,green,red,nir,swir16,swir22', '--tile-size', '128', '--out', out],
        { SHOUTU_THREADS: '2', SHOUTU_FROM_SOURCE: fromSource },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      outputs.push(await Promise.all(['change.tif', 'patches.geojson', 'summary.json'].map((name) => readFile(join(out, name)))));
    }
    expect(outputs[0]![1]!.length).toBeGreaterThan(1000);
    for (let i = 0; i < 3; i++) expect(outputs[0]![i]!.equals(outputs[1]![i]!)).toBe(true);
  }, 180_000);
});
