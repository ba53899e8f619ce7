/**
 * A batch with hostile or broken GeoTIFFs among good ones: the good file is ingested and detected, every
 * bad one is quarantined under batches/<id>/rejected/ with a JSON reason and counted on the batch status.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, directorySource, keys, readBatchStatus, runBatch, type BlobStore } from '@shoutu/shared';
import { sha256Hex } from '@shoutu/shared/util/sha256.js';
import { demoParameters, fixture, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-quarantine-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sets the inline SHORT value of `tag` in the first IFD of a little-endian classic TIFF. */
function patchShortTag(tiff: Uint8Array, tag: number, value: number): Uint8Array {
  const out = tiff.slice();
  const view = new DataView(out.buffer);
  const ifd = view.getUint32(4, true);
  const n = view.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    const p = ifd + 2 + i * 12;
    if (view.getUint16(p, true) === tag) {
      view.setUint16(p + 8, value, true);
      return out;
    }
  }
  throw new Error(`tag ${tag} not found`);
}

describe('hostile files in a batch are quarantined with their reason; the good ones go on', () => {
  it('ingests and detects the good file, quarantines four bad ones with a JSON reason, counts them on the batch', async () => {
    const batch = join(dir, 'batch');
    await mkdir(batch, { recursive: true });
    const manifest = JSON.parse(await readFile(fixture('bad', 'mixed', 'batch.json'), 'utf8')) as Record<string, unknown>;
    manifest['batchId'] = 'hostile-mixed';
    await writeFile(join(batch, 'batch.json'), JSON.stringify(manifest, null, 2));
    await copyFile(fixture('bad', 'mixed', 'good.tif'), join(batch, 'good.tif'));
    const good = new Uint8Array(await readFile(fixture('bad', 'mixed', 'good.tif')));
    const bad: Record<string, { bytes: Uint8Array; code: string; field: string }> = {
      // cut off in the middle of the pixel data: the strip table points past the end of the file
      'truncated.tif': { bytes: good.slice(0, Math.floor(good.byteLength / 2)), code: 'not_geotiff', field: 'StripOffsets' },
      // first IFD offset far outside the file
      'bad-ifd.tif': { bytes: (() => { const b = good.slice(); new DataView(b.buffer).setUint32(4, 0x7ffffff0, true); return b; })(), code: 'not_geotiff', field: 'IFD' },
      // a compression shoutu does not decode (WebP)
      'webp-claimed.tif': { bytes: patchShortTag(good, 259, 50001), code: 'unsupported_raster', field: 'Compression' },
      // 65535 bands declared: implausible, refused before any allocation
      'many-bands.tif': { bytes: patchShortTag(good, 277, 65535), code: 'unsupported_raster', field: 'SamplesPerPixel' },
    };
    for (const [name, { bytes }] of Object.entries(bad)) await writeFile(join(batch, name), bytes);

    await loadDemoMasks(store);
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const { ingest, finalize } = await runBatch(store, directorySource(batch), demoParameters());

    expect(ingest.scenes.map((s) => s.file.name)).toEqual(['good.tif']);
    expect(ingest.tiles.length).toBeGreaterThan(0);
    expect(finalize.tilesFailed).toEqual([]);
    const status = await readBatchStatus(store, 'hostile-mixed');
    expect(status?.state).toBe('done');
    expect(status?.fileCounts).toEqual({ accepted: 1, rejected: 4 });
    for (const [name, { bytes, code, field }] of Object.entries(bad)) {
      expect(status?.files.find((f) => f.name === name)).toMatchObject({ status: 'rejected', error: { code, field, file: name } });
      const stored = await store.get(keys.batchRejectedFile('hostile-mixed', name));
      expect(Buffer.from(stored).equals(Buffer.from(bytes))).toBe(true);
      const reason = JSON.parse(Buffer.from(await store.get(keys.batchRejectedReason('hostile-mixed', name))).toString('utf8')) as Record<string, unknown>;
      expect(reason).toMatchObject({
        batchId: 'hostile-mixed',
        name,
        error: { code, field, file: name },
        file: { bytes: bytes.byteLength, sha256: sha256Hex(bytes) },
        quarantined: keys.batchRejectedFile('hostile-mixed', name),
      });
    }
    // nothing of the bad files reached the accepted files or the catalog
    expect(await store.list('batches/hostile-mixed/files/')).toEqual([keys.batchFile('hostile-mixed', 'good.tif')]);
  }, 120_000);

  it('a file listed in the manifest but missing is rejected with a reason and counted, with no bytes to quarantine', async () => {
    const batch = join(dir, 'listed');
    await mkdir(batch, { recursive: true });
    const manifest = JSON.parse(await readFile(fixture('bad', 'mixed', 'batch.json'), 'utf8')) as Record<string, unknown>;
    manifest['batchId'] = 'listed-missing';
    manifest['files'] = ['good.tif', 'gone.tif'];
    await writeFile(join(batch, 'batch.json'), JSON.stringify(manifest, null, 2));
    await copyFile(fixture('bad', 'mixed', 'good.tif'), join(batch, 'good.tif'));
    await runBatch(store, directorySource(batch), demoParameters());
    const status = await readBatchStatus(store, 'listed-missing');
    expect(status?.fileCounts).toEqual({ accepted: 1, rejected: 1 });
    expect(await store.exists(keys.batchRejectedFile('listed-missing', 'gone.tif'))).toBe(false);
    const reason = JSON.parse(Buffer.from(await store.get(keys.batchRejectedReason('listed-missing', 'gone.tif'))).toString('utf8')) as Record<string, unknown>;
    expect(reason).toMatchObject({ name: 'gone.tif', error: { code: 'file_missing' }, file: null, quarantined: null });
  }, 60_000);
});
