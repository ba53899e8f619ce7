import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMaskLayer } from '@shoutu/shared/masks/index.js';
import { createStore, defaultParameters, detectPair, directorySource, runBatch, type StoreConfig } from '@shoutu/shared';
import { startPairWorkers } from '@shoutu/shared/pipeline/pair-workers.js';
import { fixture, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';

const TAIZHOU_BANDS = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;

async function run(threads: number, extra: Partial<Parameters<typeof detectPair>[0]> = {}) {
  return detectPair({
    ...extra,
    before: { path: fixture('taizhou', '2000-03-17', 'scene.tif') },
    after: { path: fixture('taizhou', '2003-02-06', 'scene.tif') },
    bands: [...TAIZHOU_BANDS],
    masks: {
      farmland: parseMaskLayer(new Uint8Array(await readFile(fixture('masks', 'farmland.geojson'))), 'farmland.geojson'),
      redline: parseMaskLayer(new Uint8Array(await readFile(fixture('masks', 'redline.geojson'))), 'redline.geojson'),
    },
    // 64-pixel tiles: 8 rows of tiles, so 2 and 3 threads each get rows, and their ranges cut change.tif strips.
    parameters: defaultParameters({ tileSize: 64 }),
    threads,
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-threads-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('detection gives the same bytes whatever the number of worker threads', () => {
  it('detectPair: change.tif, patches and summary are identical with 1, 2 and 3 threads', async () => {
    const one = await run(1);
    const two = await run(2);
    const three = await run(3);
    expect(one.patches.length).toBeGreaterThan(10);
    for (const other of [two, three]) {
      expect(Buffer.from(other.changeTif).equals(Buffer.from(one.changeTif))).toBe(true);
      expect(JSON.stringify(other.patches)).toBe(JSON.stringify(one.patches));
      expect(JSON.stringify(other.summary)).toBe(JSON.stringify(one.summary));
    }
  }, 120_000);

  it('workers started ahead: the same bytes, extra workers left idle, the pool closed after success and failure', async () => {
    const one = await run(1);
    // three workers for two threads: detectPair uses one and closes all
    const pool = startPairWorkers(3);
    const two = await run(2, { workers: pool });
    expect(Buffer.from(two.changeTif).equals(Buffer.from(one.changeTif))).toBe(true);
    expect(JSON.stringify(two.patches)).toBe(JSON.stringify(one.patches));
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
    await expect(pool.run(0, { kind: 'close' })).rejects.toThrow(/not running/);
    // a pair that does not open: the error names the file, the workers are closed too
    const failing = startPairWorkers(1);
    await expect(
      detectPair({ before: { path: join(work, 'missing.tif') }, after: { path: join(work, 'missing.tif') }, parameters: defaultParameters({}), threads: 2, workers: failing }),
    ).rejects.toThrow(/missing\.tif/);
    await expect(failing.run(0, { kind: 'close' })).rejects.toThrow(/not running/);
  }, 120_000);

  it('a pair whose sampled blocks lie in both threads\' rows (the worker decodes its own for the statistics): the same bytes', async () => {
    // 1100² px: nine 512² sampled blocks in three block rows; 256-pixel tiles give five rows of tiles, and
    // the worker's range holds the last block row.
    const size = 1100;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const before = new Uint8Array(4 * size * size).map((_, i) => 60 + ((i % size) >> 4) + ((Math.floor(i / size) % size) >> 5) + Math.floor(random() * 12));
    const after = before.map((v) => Math.min(255, v + Math.floor(random() * 6)));
    for (const [x0, y0] of [[100, 100], [700, 300], [200, 900], [800, 1000], [500, 600]] as const) {
      for (let b = 0; b < 4; b++) {
        for (let y = y0; y < y0 + 40; y++) for (let x = x0; x < x0 + 50; x++) after[(b * size + y) * size + x] = b === 3 ? 40 : 200;
      }
    }
    const paths = { before: join(work, 'tall-before.tif'), after: join(work, 'tall-after.tif') };
    await writeFile(paths.before, encodeMultiBandGeoTiff({ width: size, height: size, bands: 4, planes: before }));
    await writeFile(paths.after, encodeMultiBandGeoTiff({ width: size, height: size, bands: 4, planes: after }));
    const detect = (threads: number) =>
      detectPair({ before: { path: paths.before }, after: { path: paths.after }, bands: ['blue', 'green', 'red', 'nir'], parameters: defaultParameters({ tileSize: 256 }), threads });
    const one = await detect(1);
    const two = await detect(2);
    expect(one.patches.length).toBeGreaterThanOrEqual(5);
    expect(Buffer.from(two.changeTif).equals(Buffer.from(one.changeTif))).toBe(true);
    expect(JSON.stringify(two.patches)).toBe(JSON.stringify(one.patches));
    expect(JSON.stringify(two.summary)).toBe(JSON.stringify(one.summary));
  }, 120_000);

  it('shoutu detect: SHOUTU_THREADS=1 and 2 write byte-identical outputs; a bad value is named', async () => {
    const outputs: Record<string, Buffer>[] = [];
    for (const threads of ['1', '2']) {
      const out = join(work, `t${threads}`);
      const r = runShoutu(
        ['detect', '--before', fixture('taizhou', '2000-03-17', 'scene.tif'), '--after', fixture('taizhou', '2003-02-06', 'scene.tif'),
          '--bands', TAIZHOU_BANDS.join(','), '--farmland', fixture('masks', 'farmland.geojson'), '--tile-size', '64', '--out', out],
        { SHOUTU_THREADS: threads },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const files: Record<string, Buffer> = {};
      for (const name of ['change.tif', 'patches.geojson', 'summary.json']) files[name] = await readFile(join(out, name));
      outputs.push(files);
    }
    for (const name of ['change.tif', 'patches.geojson', 'summary.json']) expect(outputs[1]![name]!.equals(outputs[0]![name]!), name).toBe(true);

    const bad = runShoutu(['detect', '--before', fixture('taizhou', '2000-03-17', 'scene.tif'), '--after', fixture('taizhou', '2003-02-06', 'scene.tif'), '--out', join(work, 'bad')], { SHOUTU_THREADS: 'two' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/SHOUTU_THREADS/);
  }, 180_000);
});

/** Every file under `dir`, by relative path. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path.slice(dir.length + 1), await readFile(path));
  }
  return out;
}

describe('embedded mode gives the same bytes whatever the number of worker threads', () => {
  it('runBatch with 1 and 2 threads: detect results, alerts, evidence, status and run record are identical', async () => {
    const trees: Map<string, Buffer>[] = [];
    for (const threads of [1, 2]) {
      const storeConfig: StoreConfig = { kind: 'local', dir: join(work, `embedded-${threads}`) };
      const store = createStore(storeConfig);
      await loadDemoMasks(store);
      // 64-pixel tiles: dozens of detect jobs to share between the threads
      const parameters = defaultParameters({ tileSize: 64 });
      for (const epoch of TAIZHOU_EPOCHS) await runBatch(store, directorySource(epoch), parameters, { threads, storeConfig });
      trees.push(await filesUnder(storeConfig.dir));
    }
    const [one, two] = trees as [Map<string, Buffer>, Map<string, Buffer>];
    expect([...one.keys()].filter((k) => k.startsWith('detect/')).length).toBeGreaterThan(20);
    expect([...two.keys()].sort()).toEqual([...one.keys()].sort());
    for (const [key, bytes] of one) expect(two.get(key)!.equals(bytes), key).toBe(true);
  }, 180_000);
});
