import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { NotFoundError } from '../../shared/src/errors.js';
import { digest, digestByRanges } from '../../shared/src/run-record/digest.js';
import { createStore, type BlobStore, type S3BlobStore } from '../../shared/src/storage/index.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** 2,500 bytes that differ from position to position, so a range read twice or skipped changes the digest. */
const body = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);

let dir: string;
let server: S3TestServer;
const stores: Array<[string, BlobStore]> = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoutu-digest-'));
  server = await startS3Server();
  stores.push(['local', createStore({ kind: 'local', dir })], ['s3', createStore({ kind: 's3', ...server.config, prefix: 'digest/' })]);
});

afterAll(async () => {
  for (const [kind, store] of stores) if (kind === 's3') (store as S3BlobStore).destroy();
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe.each(['local', 's3'])('run-record digests on the %s store', (kind) => {
  const store = () => stores.find(([k]) => k === kind)![1];

  it('hashes by ranges to the digest of the whole object, for any range size', async () => {
    await store().put('scenes/a.tif', body);
    const whole = sha(body);
    expect(await digest(store(), 'scenes/a.tif')).toEqual({ key: 'scenes/a.tif', sha256: whole });
    for (const rangeBytes of [1000, 2500, 833, 4096]) {
      expect((await digestByRanges(store(), 'scenes/a.tif', rangeBytes)).sha256).toBe(whole);
    }
  });

  it('hashes an empty object without reading a range', async () => {
    await store().put('scenes/empty.tif', new Uint8Array(0));
    expect((await digestByRanges(store(), 'scenes/empty.tif', 1000)).sha256).toBe(sha(new Uint8Array(0)));
  });

  it('names the key of a missing object', async () => {
    await expect(digestByRanges(store(), 'scenes/missing.tif')).rejects.toBeInstanceOf(NotFoundError);
    await expect(digestByRanges(store(), 'scenes/missing.tif')).rejects.toThrow(/scenes\/missing\.tif/);
  });
});
