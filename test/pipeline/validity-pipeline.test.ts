import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, keys, readBatchStatus, runBatch, type AlertFeature, type BlobStore, type DetectResult } from '@shoutu/shared';
import { BANDS6, block, maskPlane, maskTif, REFLECTANCE_SCALE, SIZE, syntheticPair } from '../support/synthetic-pair.js';

let dir: string;
let store: BlobStore;
const json = async <T>(key: string) => JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T;

async function batch(name: string, manifest: object, files: Record<string, Uint8Array>): Promise<string> {
  const folder = join(dir, 'in', name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest));
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(folder, file), bytes);
  return folder;
}

const manifest = (batchId: string, acquiredAt: string, extra: object) => ({
  batchId,
  acquiredAt,
  platform: 'satellite',
  sensor: 'synthetic',
  bands: [...BANDS6],
  regionCode: '321202',
  reflectance: { scale: REFLECTANCE_SCALE },
  ...extra,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-validity-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validity and typing through the pipeline (ingest → detect → alert)', () => {
  it('honours a cloud mask band, masks spectral clouds, and alerts carry type and cloud-free fraction', async () => {
    const hidden = block('construction');
    const pair = syntheticPair(undefined, { maskBands: { before: new Uint8Array(SIZE * SIZE), after: maskPlane([hidden]) } });
    const params = defaultParameters({ alertOn: 'all', tileSize: 64 });
    await runBatch(store, directorySource(await batch('b1', manifest('band-1', '2024-01-01', { cloudMask: { band: 7 } }), { 'scene.tif': pair.before })), params);
    await runBatch(store, directorySource(await batch('b2', manifest('band-2', '2024-06-01', { cloudMask: { band: 7 } }), { 'scene.tif': pair.after })), params);

    const alerts = (await json<{ features: AlertFeature[] }>(keys.batchAlerts('band-2'))).features;
    const types = alerts.map((a) => a.properties.changeType).sort();
    expect(types).toEqual(['bare_soil', 'construction', 'vegetation_loss', 'water_gain', 'water_loss']);
    for (const a of alerts) {
      expect(a.properties.cloudFreeFraction).toBeGreaterThan(0);
      expect(a.properties.cloudFreeFraction).toBeLessThanOrEqual(1);
      // other land, ≥ 10 亩 (one level up); vegetation loss one level below the enforcement targets
      expect(a.properties.areaMu).toBeGreaterThan(10);
      expect(a.properties.severity).toBe(a.properties.changeType === 'vegetation_loss' ? 'low' : 'medium');
    }
    // the only construction alert is the one beside the spectral cloud, and it knows part of its ring was hidden
    const construction = alerts.find((a) => a.properties.changeType === 'construction')!;
    expect(construction.properties.cloudFreeFraction).toBeLessThan(0.95);
    // detect results exclude the masked band block, the clouds, the shadow and the nodata strip from valid pixels
    const results = await Promise.all((await store.list('detect/band-2/')).map((k) => json<DetectResult>(k)));
    const valid = results.reduce((s, r) => s + r.validPixels, 0);
    const maskedBlocks = ['construction', 'cloud', 'cloud-next-to-construction', 'shadow'].reduce((s, n) => s + block(n).size ** 2, 0);
    expect(valid).toBe(SIZE * SIZE - maskedBlocks - 8 * SIZE);
  }, 60_000);

  it('rejects a scene whose cloud mask file is missing or not on its grid, naming the file', async () => {
    const pair = syntheticPair();
    // Another county than the test above: a region keeps the tile size of its analysis grid (64 there).
    const region = { regionCode: '321203' };
    await runBatch(store, directorySource(await batch('f1', manifest('file-1', '2024-01-01', region), { 'scene.tif': pair.before })), defaultParameters());
    const folder = await batch('f2', manifest('file-2', '2024-06-01', { ...region, cloudMask: { files: { 'a.tif': 'a-clouds.tif', 'b.tif': 'b-clouds.tif' } } }), {
      'a.tif': pair.after,
      'b.tif': pair.after,
      'b-clouds.tif': maskTif(new Uint8Array(SIZE * (SIZE - 2)), SIZE - 2),
    });
    await expect(runBatch(store, directorySource(folder), defaultParameters())).rejects.toThrow(/no usable GeoTIFF/);
    const status = await readBatchStatus(store, 'file-2');
    const byName = Object.fromEntries(status!.files.map((f) => [f.name, f]));
    expect(byName['a.tif']!.error?.code).toBe('cloud_mask_missing');
    expect(byName['a.tif']!.error?.message).toMatch(/a-clouds\.tif: cloud mask of a\.tif \(cloudMask\.files\.a\.tif\) is not in the batch/);
    expect(byName['b.tif']!.error?.code).toBe('cloud_mask_invalid');
    expect(byName['b.tif']!.error?.message).toMatch(/b-clouds\.tif: cloud mask of b\.tif is not on the scene's grid/);
    expect(byName['b-clouds.tif']).toBeUndefined();
  }, 60_000);
});
