import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, directorySource, InvalidInputError, keys, readBatchStatus, runBatch, type BlobStore } from '@shoutu/shared';
import { demoParameters, fixture, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-bad-'));
  store = createStore({ kind: 'local', dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(folder: string): Promise<InvalidInputError> {
  try {
    await runBatch(store, directorySource(fixture('bad', folder)), demoParameters());
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error(`expected batch ${folder} to be rejected`);
}

describe('bad input is refused with a clear error naming the file and field', () => {
  it('a manifest that is not JSON', async () => {
    const error = await rejection('broken-manifest');
    expect(error.code).toBe('manifest_invalid');
    expect(error.file).toBe('batch.json');
    expect(error.message).toMatch(/batch\.json: not valid JSON/);
  });

  it('a manifest with bad fields names them and is recorded on the batch', async () => {
    const error = await rejection('bad-fields');
    expect(error.code).toBe('manifest_invalid');
    expect(error.message).toContain('bands[5]');
    expect(error.message).toContain('regionCode');
    const status = await readBatchStatus(store, 'bad-fields');
    expect(status?.state).toBe('rejected');
    expect(status?.error?.code).toBe('manifest_invalid');
  });

  it.each([
    ['not-geotiff', 'bad-not-geotiff', 'not_geotiff', 'scene.tif'],
    ['ungeoreferenced', 'bad-ungeoreferenced', 'not_georeferenced', 'scene.tif'],
    ['band-mismatch', 'bad-band-mismatch', 'band_count_mismatch', 'scene.tif'],
  ])('%s: the file is rejected with its reason, recorded on the batch', async (folder, batchId, code, file) => {
    const error = await rejection(folder);
    expect(error.code).toBe('no_usable_file');
    expect(error.message).toContain(file);
    const status = await readBatchStatus(store, batchId);
    expect(status?.state).toBe('rejected');
    expect(status?.files).toHaveLength(1);
    expect(status?.files[0]).toMatchObject({ name: file, status: 'rejected', error: { code, file } });
    expect(status?.files[0]?.error?.message).toContain(file);
    if (code === 'band_count_mismatch') expect(status?.files[0]?.error?.field).toBe('bands');
    // The rejected file is quarantined with the batch, not lost.
    expect(await store.exists(keys.batchRejectedFile(batchId, file))).toBe(true);
  });

  it('a file whose band descriptions contradict the band order of the manifest is rejected naming the band', async () => {
    // The Taizhou scene describes its bands by wavelength ('TM/ETM+ band 1 (0.482500 um)'); listed as RGB:
    const batch = join(dir, 'swapped-batch');
    await mkdir(batch);
    await copyFile(join(TAIZHOU_EPOCHS[0], 'scene.tif'), join(batch, 'scene.tif'));
    const manifest = JSON.parse(await readFile(join(TAIZHOU_EPOCHS[0], 'batch.json'), 'utf8')) as { batchId: string; bands: string[] };
    await writeFile(join(batch, 'batch.json'), JSON.stringify({ ...manifest, batchId: 'swapped', bands: ['red', 'green', 'blue', 'nir', 'swir16', 'swir22'] }));
    await expect(runBatch(store, directorySource(batch), demoParameters())).rejects.toMatchObject({ code: 'no_usable_file' });
    const status = await readBatchStatus(store, 'swapped');
    expect(status?.files[0]).toMatchObject({ name: 'scene.tif', status: 'rejected', error: { code: 'band_order_mismatch', file: 'scene.tif', field: 'bands' } });
    expect(status?.files[0]?.error?.message).toBe(
      'scene.tif: band 1 is "red" in batch.json "bands" but the file describes it as "TM/ETM+ band 1 (0.482500 um)" (blue); ' +
        "list the bands in the file's order, or clear the file's band descriptions if they are wrong",
    );
    expect(await store.exists(keys.batchRejectedFile('swapped', 'scene.tif'))).toBe(true);
  });

  it('a batch with one bad file processes the good one and records the bad one', async () => {
    await loadDemoMasks(store);
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const { ingest, finalize } = await runBatch(store, directorySource(fixture('bad', 'mixed')), demoParameters());
    expect(ingest.scenes.map((s) => s.file.name)).toEqual(['good.tif']);
    expect(ingest.rejected).toMatchObject([{ name: 'broken.tif', status: 'rejected', error: { code: 'not_geotiff', file: 'broken.tif' } }]);
    expect(ingest.tiles.length).toBeGreaterThan(0); // the good crop has the Taizhou baseline
    expect(finalize.tilesFailed).toEqual([]);
    const status = await readBatchStatus(store, 'bad-mixed');
    expect(status?.state).toBe('done');
    expect(status?.files.map((f) => [f.name, f.status])).toEqual([
      ['broken.tif', 'rejected'],
      ['good.tif', 'accepted'],
    ]);
  });

  it('never overwrites a stored batch: a different manifest under a used batch id is refused', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const stored = await store.get(keys.batchManifest('taizhou-2000-03'));
    const other = createStore({ kind: 'local', dir: join(dir, 'other') });
    await other.put('batch.json', Buffer.from(stored).toString('utf8').replace('"2000-03-17"', '"2000-03-18"'));
    await other.put('scene.tif', await store.get(keys.batchFile('taizhou-2000-03', 'scene.tif')));
    await expect(runBatch(store, directorySource(join(dir, 'other')), demoParameters())).rejects.toMatchObject({ code: 'batch_conflict', field: 'batchId' });
    expect(Buffer.from(await store.get(keys.batchManifest('taizhou-2000-03')))).toEqual(Buffer.from(stored));
    expect((await readBatchStatus(store, 'taizhou-2000-03'))?.state).toBe('baseline');
  });

  it('a missing folder is a clear error', async () => {
    await expect(runBatch(store, directorySource(join(dir, 'nope')), demoParameters())).rejects.toMatchObject({ code: 'batch_unreadable' });
  });
});
