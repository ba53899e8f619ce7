import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';
import { lastLogEntry } from './resolution-log.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-resolution-log-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A store that counts its existence checks and fails on listing (the log is never listed). */
function counted(store: BlobStore): { store: BlobStore; checks: () => number } {
  let checks = 0;
  const wrapped: BlobStore = Object.create(store) as BlobStore;
  wrapped.exists = (key: string) => {
    checks++;
    return store.exists(key);
  };
  wrapped.list = () => Promise.reject(new Error('the resolution log must not be listed'));
  return { store: wrapped, checks: () => checks };
}

async function commit(store: BlobStore, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) expect(await store.putIfAbsent(keys.resolutionLogEntry(n), `{"n":${n}}`)).toBe(true);
}

describe('lastLogEntry', () => {
  it('is 0 for an empty log and the last entry for every length up to 70', async () => {
    const { store } = counted(createStore({ kind: 'local', dir: join(dir, 'lengths') }));
    expect(await lastLogEntry(store)).toBe(0);
    for (let n = 1; n <= 70; n++) {
      await commit(store, n, n);
      expect(await lastLogEntry(store)).toBe(n);
    }
  });

  it('finds the last of a long log in logarithmically many checks, and from where it last looked in fewer', async () => {
    const local = createStore({ kind: 'local', dir: join(dir, 'long') });
    await commit(local, 1, 1000);
    const first = counted(local);
    expect(await lastLogEntry(first.store)).toBe(1000);
    // galloping to 1024 and halving back: about 2·log2(1000)
    expect(first.checks()).toBeLessThanOrEqual(21);
    await commit(local, 1001, 1003);
    const before = first.checks();
    expect(await lastLogEntry(first.store)).toBe(1003);
    // the entry it saw, then galloping over the 3 new ones and halving back
    expect(first.checks() - before).toBeLessThanOrEqual(6);
    // another store object on the same files (another process) starts from nothing and agrees
    expect(await lastLogEntry(counted(local).store)).toBe(1003);
  });
});
