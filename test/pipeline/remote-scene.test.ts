/**
 * Scenes stored on S3 are opened by byte ranges once they are large enough (RANGE_READ_MIN_BYTES): a
 * detect or alert job then transfers only the blocks of its windows, not the whole scene, and reads the
 * same pixels as from a local data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, directorySource, ingestBatch, runBatch, type BlobStore } from '@shoutu/shared';
import { openScene, RANGE_READ_MIN_BYTES } from '@shoutu/shared/catalog/open-scene.js';
import { getScene } from '@shoutu/shared/catalog/scene-catalog.js';
import { demoParameters, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

let work: string;
let s3: S3TestServer;
let proxy: CountingProxy;
let remote: BlobStore;
let local: BlobStore;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-remote-scene-'));
  s3 = await startS3Server();
  proxy = await startCountingProxy(s3.endpoint);
  remote = createStore({ kind: 's3', ...s3.config, endpoint: proxy.endpoint });
  local = createStore({ kind: 'local', dir: join(work, 'data') });
  for (const store of [remote, local]) await ingestBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
});
afterAll(async () => {
  await proxy?.close();
  await s3?.close();
  await rm(work, { recursive: true, force: true });
});

describe('a scene on S3', () => {
  it('is read by ranges above the size threshold: the same pixels, a fraction of the bytes', async () => {
    const record = await getScene(remote, 'taizhou-2000-03.scene');
    expect(record.file.bytes).toBeLessThan(RANGE_READ_MIN_BYTES); // the fixture is small: force ranges
    const window = { col: record.placement.col0 + 150, row: record.placement.row0 + 200, width: 100, height: 60 };
    const fromDisk = await openScene(local, await getScene(local, 'taizhou-2000-03.scene'));
    proxy.reset();
    const byRanges = await openScene(remote, record, { rangeReadMinBytes: 0 });
    try {
      expect(await byRanges.readValidWindow(window)).toEqual(await fromDisk.readValidWindow(window));
      // 6 planar bands × 3 strips of 20 rows, only the window's rows, plus the header: a small part of the file
      expect(proxy.requests.every((r) => r.startsWith('GET '))).toBe(true);
      expect(proxy.bytes).toBeLessThan(record.file.bytes / 4);
    } finally {
      await byRanges.close();
      await fromDisk.close();
    }
  });

  it('is downloaded whole below the threshold (one request), with the same pixels', async () => {
    const record = await getScene(remote, 'taizhou-2000-03.scene');
    const window = { col: record.placement.col0, row: record.placement.row0, width: 400, height: 400 };
    proxy.reset();
    const whole = await openScene(remote, record);
    const fromDisk = await openScene(local, await getScene(local, 'taizhou-2000-03.scene'));
    try {
      const [a, b] = [await whole.readWindow(window), await fromDisk.readWindow(window)];
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
      expect(proxy.requests).toHaveLength(1);
      expect(proxy.bytes).toBe(record.file.bytes);
    } finally {
      await whole.close();
      await fromDisk.close();
    }
  });

  it('a detecting epoch on S3 reads each tile outcome, detect result and observation once, finalisation and run record together', async () => {
    proxy.reset();
    // every patch alerted (no mask layers in this store), so there are observations to resolve
    const { finalize } = await runBatch(remote, directorySource(TAIZHOU_EPOCHS[1]), { ...demoParameters(), alertOn: 'all' });
    expect(finalize.alerts.length).toBeGreaterThan(0);
    const reads = new Map<string, number>();
    for (const request of proxy.requests) {
      const [method, target] = request.split(' ') as [string, string];
      const key = decodeURIComponent(new URL(target, 'http://store').pathname.split('/').slice(2).join('/'));
      if (method === 'GET' && /^(detect\/|batches\/[^/]+\/tiles\/|observations\/)/.test(key)) reads.set(key, (reads.get(key) ?? 0) + 1);
    }
    const batch = finalize.batchId;
    const kinds = [`detect/${batch}/`, `batches/${batch}/tiles/`, 'observations/'];
    for (const prefix of kinds) expect([...reads.keys()].filter((k) => k.startsWith(prefix)).length, prefix).toBeGreaterThan(0);
    expect([...reads.entries()].filter(([, n]) => n > 1)).toEqual([]);
  });
});
