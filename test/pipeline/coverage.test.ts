/**
 * Coverage: how much ground detection could examine (usable in both epochs), in all and within each mask
 * layer, so that ground under a cloud reads as "not looked at", not as "nothing happened". Checked against
 * counts made independently with GDAL (the cloud mask and the farmland layer rasterised onto the grid).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMaskLayer } from '@shoutu/shared/masks/index.js';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { runGdalScript, writeCloudMask } from '../support/gdal.js';
import { ingestTaizhouEpochs } from '../support/equivalence.js';
import { runShoutu } from '../support/cli.js';

/** Pixels of a GeoJSON layer (all-touched off: pixel centres) on the file's grid, and those under the cloud mask. */
const COUNT = `
import sys, json
import numpy as np
from osgeo import gdal
src, layer, clouds, out = sys.argv[1:5]
ds = gdal.Open(src)
r = gdal.GetDriverByName('MEM').Create('', ds.RasterXSize, ds.RasterYSize, 1, gdal.GDT_Byte)
r.SetGeoTransform(ds.GetGeoTransform())
r.SetProjection(ds.GetProjection())
gdal.Rasterize(r, layer, burnValues=[1])
m = r.GetRasterBand(1).ReadAsArray() == 1
cd = gdal.Open(clouds)
c = cd.GetRasterBand(1).ReadAsArray() == 1
json.dump({'layer': int(m.sum()), 'layerUnderCloud': int((m & c).sum()), 'cloud': int(c.sum())}, open(out, 'w'))
`;

/** A window of a file (gdal_translate -srcwin): its georeferencing moved to the window, on the same lattice. */
const CROP = `
import sys
from osgeo import gdal
src, out, x, y, w, h = sys.argv[1], sys.argv[2], *(int(v) for v in sys.argv[3:7])
gdal.Translate(out, src, srcWin=[x, y, w, h])
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-coverage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const before = { path: fixture('taizhou', '2000-03-17', 'scene.tif') };
const after = { path: fixture('taizhou', '2003-02-06', 'scene.tif') };
const maskFile = async (layer: 'farmland' | 'redline') => parseMaskLayer(new Uint8Array(await readFile(fixture('masks', `${layer}.geojson`))), `${layer}.geojson`);
/** The fixture's pixel: 30 m (UTM; its scale factor moves the true area by a few parts in 10⁴). */
const PIXEL_MU = 900 / (10000 / 15);

describe('coverage', () => {
  it('is all the ground, and all of each layer, for a clear pair; nothing of the layers not given', async () => {
    const r = await detectPair({ before, after, masks: { farmland: await maskFile('farmland') }, parameters: defaultParameters() });
    const c = r.summary.coverage;
    expect(c.examinedShare).toBe(1);
    expect(c.examinedMu).toBe(c.mu);
    expect(c.mu / (400 * 400 * PIXEL_MU)).toBeCloseTo(1, 2);
    expect(c.farmland!.examinedShare).toBe(1);
    expect(c.farmland!.mu).toBeGreaterThan(0);
    expect(c).not.toHaveProperty('redline');
  });

  it('adds up several layers of a kind: the demo farmland in two files gives the patches and coverage of the one file', async () => {
    const whole = JSON.parse(readFileSync(fixture('masks', 'farmland.geojson'), 'utf8')) as { features: unknown[] };
    const [first, second] = [whole.features.slice(0, 1), whole.features.slice(1)].map((features, i) => {
      const path = join(dir, `farmland-part${i}.geojson`);
      writeFileSync(path, JSON.stringify({ ...whole, features }));
      return path;
    });
    const runs = [['--farmland', fixture('masks', 'farmland.geojson')], ['--farmland', first!, '--farmland', second!]].map((flags, i) => {
      const out = join(dir, `parts-${i}`);
      const cli = runShoutu(['detect', '--before', before.path, '--after', after.path, ...flags, '--out', out]);
      expect(cli.status, cli.stderr).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { coverage: { farmland: { mu: number } } };
      return { summary, patches: readFileSync(join(out, 'patches.geojson'), 'utf8'), farmlandM2: (JSON.parse(readFileSync(join(out, 'patches.geojson'), 'utf8')) as { features: Array<{ properties: { farmlandM2: number } }> }).features.map((f) => f.properties.farmlandM2) };
    });
    expect(runs[1]!.summary.coverage).toEqual(runs[0]!.summary.coverage);
    expect(runs[1]!.patches).toBe(runs[0]!.patches);
    expect(runs[0]!.farmlandM2.some((m2) => m2 > 0)).toBe(true);
  });

  it('leaves out the ground under a cloud, in all and in each layer: the pixels GDAL counts there', async () => {
    writeCloudMask(after.path, join(dir, 'clouds.tif'), [250, 330], [100, 330]); // over parts of the demo farmland
    const countsPath = join(dir, 'counts.json');
    runGdalScript(COUNT, [after.path, fixture('masks', 'farmland.geojson'), join(dir, 'clouds.tif'), countsPath]);
    const counts = JSON.parse(await readFile(countsPath, 'utf8')) as { layer: number; layerUnderCloud: number; cloud: number };
    expect(counts.layerUnderCloud).toBeGreaterThan(0);
    const masks = { farmland: await maskFile('farmland'), redline: await maskFile('redline') };
    const clear = await detectPair({ before, after, masks, parameters: defaultParameters({ tileSize: 128 }) });
    const run = (threads: number) =>
      detectPair({ before, after, masks, validity: { cloudMask: { after: { path: join(dir, 'clouds.tif') } } }, parameters: defaultParameters({ tileSize: 128 }), threads });
    const cloudy = await run(1);
    const c = cloudy.summary.coverage;
    // the whole and each layer's ground do not depend on clouds
    expect(c.mu).toBe(clear.summary.coverage.mu);
    expect(c.farmland!.mu).toBe(clear.summary.coverage.farmland!.mu);
    expect(c.redline!.mu).toBe(clear.summary.coverage.redline!.mu);
    // examined: the valid pixels, and the layer's pixels less those under the cloud (areas to the pixel's scale)
    expect(cloudy.summary.validPixels).toBe(400 * 400 - counts.cloud);
    expect(c.examinedShare).toBeCloseTo(cloudy.summary.validPixels / (400 * 400), 4);
    // in pixels of the grid's true mean area (UTM's scale makes it 0.13 % under the nominal 900 m² here)
    const pixelMu = c.mu / (400 * 400);
    expect(c.farmland!.mu / pixelMu).toBeCloseTo(counts.layer, -1);
    expect((c.farmland!.mu - c.farmland!.examinedMu) / pixelMu).toBeCloseTo(counts.layerUnderCloud, -1);
    expect(c.farmland!.examinedShare).toBeCloseTo(1 - counts.layerUnderCloud / counts.layer, 3);
    // the same bytes with two threads
    expect((await run(2)).summary.coverage).toEqual(c);
    // what was not examined is the after epoch's clouds: none of it is the before epoch's
    expect(c.beforeUnusableMu).toBe(0);
    expect(c.afterUnusableMu / pixelMu).toBeCloseTo(counts.cloud, -1);
    expect(c.afterUnusableMu).toBeCloseTo(c.mu - c.examinedMu, 2);
  });

  it('tells which epoch hid the ground: clouds in each epoch overlapping, and the after file ending short of the before file', async () => {
    writeCloudMask(before.path, join(dir, 'before-clouds.tif'), [40, 160], [200, 300]);
    const cropped = join(dir, 'after-cropped.tif');
    runGdalScript(CROP, [after.path, cropped, '0', '0', '400', '300']); // rows 300–399 of the before file are beyond it
    writeCloudMask(cropped, join(dir, 'after-clouds.tif'), [100, 220], [250, 330]); // overlaps the before epoch's in rows 100–159, columns 250–299
    const run = (threads: number) =>
      detectPair({
        before,
        after: { path: cropped },
        validity: { cloudMask: { before: { path: join(dir, 'before-clouds.tif') }, after: { path: join(dir, 'after-clouds.tif') } } },
        parameters: defaultParameters({ tileSize: 128 }),
        threads,
      });
    const r = await run(1);
    const c = r.summary.coverage;
    const pixelMu = c.mu / (400 * 400);
    const beforeClouds = 120 * 100;
    const afterClouds = 120 * 80; // all inside the cropped file
    const beyond = 100 * 400;
    const both = 60 * 50;
    expect(c.beforeUnusableMu / pixelMu).toBeCloseTo(beforeClouds, -1);
    expect(c.afterUnusableMu / pixelMu).toBeCloseTo(afterClouds + beyond, -1);
    expect(r.summary.validPixels).toBe(400 * 400 - (beforeClouds + afterClouds + beyond - both));
    expect((c.mu - c.examinedMu) / pixelMu).toBeCloseTo(beforeClouds + afterClouds + beyond - both, -1);
    expect((await run(2)).summary.coverage).toEqual(c);
    // shoutu detect says which epoch hid what, and summary.json records it
    const out = join(dir, 'epochs-out');
    const cli = runShoutu(['detect', '--before', before.path, '--after', cropped, '--before-cloud-mask', join(dir, 'before-clouds.tif'), '--after-cloud-mask', join(dir, 'after-clouds.tif'), '--tile-size', '128', '--out', out]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain(`the rest was not looked at, unusable in the before epoch over ${c.beforeUnusableMu.toFixed(2)} 亩, in the after epoch over ${c.afterUnusableMu.toFixed(2)} 亩 (`);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { coverage: typeof c };
    expect(summary.coverage).toEqual(c);
  });

  it('is recorded per tile and per scene pair by the pipeline, the ground shoutu detect finds', async () => {
    const epochs = await ingestTaizhouEpochs(dir, 'pipeline', (date) => fixture('taizhou', date, 'scene.tif'), {});
    const { ingest, finalize } = epochs.results[1]!;
    expect(finalize.coverage).toHaveLength(1);
    const [pair] = finalize.coverage;
    expect(pair).toMatchObject({ sceneId: ingest.scenes[0]!.sceneId, baselineSceneId: epochs.results[0]!.ingest.scenes[0]!.sceneId, tiles: ingest.tiles.length, examinedShare: 1, beforeUnusableMu: 0, afterUnusableMu: 0 });
    const status = JSON.parse(new TextDecoder().decode(await epochs.store.get(`batches/${ingest.batchId}/status.json`))) as { coverage: unknown };
    expect(status.coverage).toEqual(finalize.coverage);
    const detected = await detectPair({ before, after, masks: { farmland: await maskFile('farmland'), redline: await maskFile('redline') }, parameters: defaultParameters() });
    expect(pair!.mu).toBeCloseTo(detected.summary.coverage.mu, 0);
    expect(pair!.farmland!.mu).toBeCloseTo(detected.summary.coverage.farmland!.mu, 0);
    expect(pair!.redline!.mu).toBeCloseTo(detected.summary.coverage.redline!.mu, 0);
    // the map: a feature per tile, outlined in WGS84, whose ground sums to the pair's
    type Feature = { id: string; geometry: { type: string; coordinates: Array<Array<[number, number]>> }; properties: { tileId: string; mu: number; examinedShare: number; farmland: { mu: number } } };
    const map = JSON.parse(new TextDecoder().decode(await epochs.store.get(`batches/${ingest.batchId}/coverage.geojson`))) as { type: string; features: Feature[] };
    expect(map.type).toBe('FeatureCollection');
    expect(map.features.map((f) => f.id)).toEqual(ingest.tiles.map((t) => t.tileKey).sort());
    expect(map.features.map((f) => f.properties.tileId)).toEqual([...ingest.tiles].sort((x, y) => (x.tileKey < y.tileKey ? -1 : 1)).map((t) => t.tileId));
    expect(map.features.reduce((s, f) => s + f.properties.mu, 0)).toBeCloseTo(pair!.mu, 2);
    expect(map.features.reduce((s, f) => s + f.properties.farmland.mu, 0)).toBeCloseTo(pair!.farmland!.mu, 2);
    for (const f of map.features) {
      expect(f.properties.examinedShare).toBe(1);
      const ring = f.geometry.coordinates[0]!;
      expect(f.geometry.type).toBe('Polygon');
      expect(ring.at(-1)).toEqual(ring[0]);
      for (const [lon, lat] of ring) {
        expect(lon).toBeGreaterThan(119);
        expect(lon).toBeLessThan(121);
        expect(lat).toBeGreaterThan(31);
        expect(lat).toBeLessThan(34);
      }
    }
  });
});
