/**
 * OpenSceneCache on the Taizhou fixture epochs, ingested into a real local store: a scene is opened once
 * and served to later jobs while it stays among the most recently used; one not in use is closed when more
 * are open than the capacity; close() closes them all; a scene that cannot be opened is not kept.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, OpenSceneCache, type BlobStore, type SceneRecord } from '@shoutu/shared';
import { TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;
let first: SceneRecord;
let second: SceneRecord;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-scene-cache-'));
  store = createStore({ kind: 'local', dir });
  first = (await ingestBatch(store, directorySource(TAIZHOU_EPOCHS[0]), defaultParameters())).scenes[0]!;
  second = (await ingestBatch(store, directorySource(TAIZHOU_EPOCHS[1]), defaultParameters())).scenes[0]!;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const WINDOW = { col: 0, row: 0, width: 8, height: 8 };
const windowOf = (record: SceneRecord) => ({ ...WINDOW, col: record.placement.col0, row: record.placement.row0 });

describe('OpenSceneCache', () => {
  it('opens each scene once for consecutive jobs and reads the same pixels as a scene opened alone', async () => {
    const cache = new OpenSceneCache(store);
    const seen: unknown[] = [];
    const pixels: Float32Array[] = [];
    for (let job = 0; job < 3; job++) {
      await cache.withPair(first, second, async (b, a) => {
        seen.push(b, a);
        pixels.push(await b.readValidWindow(windowOf(first)), await a.readValidWindow(windowOf(second)));
      });
    }
    expect(seen[2]).toBe(seen[0]);
    expect(seen[4]).toBe(seen[0]);
    expect(seen[3]).toBe(seen[1]);
    expect(pixels[2]).toEqual(pixels[0]);
    expect(pixels[3]).toEqual(pixels[1]);
    expect(pixels[0]).not.toEqual(pixels[1]);
    await cache.close();
    // closed scenes refuse reads, and the cache refuses jobs
    await expect((seen[0] as { readValidWindow: (w: typeof WINDOW) => Promise<unknown> }).readValidWindow(windowOf(first))).rejects.toThrow(/closed/);
    await expect(cache.withPair(first, second, async () => null)).rejects.toThrow(/closed/);
  });

  it('closes the least recently used scene that no job reads once more are open than its capacity', async () => {
    const cache = new OpenSceneCache(store, 1);
    let kept: { readValidWindow: (w: typeof WINDOW) => Promise<Float32Array> } | null = null;
    // both scenes in use at once: over capacity while the job runs, the first closed after it
    await cache.withPair(first, second, async (b) => {
      kept = b;
      await b.readValidWindow(windowOf(first));
    });
    await expect(kept!.readValidWindow(windowOf(first))).rejects.toThrow(/closed/);
    // the second stayed open: the next job gets the same one
    let again: unknown = null;
    await cache.withPair(second, second, async (b) => {
      again = b;
    });
    await cache.withPair(second, second, async (b) => expect(b).toBe(again));
    await cache.close();
  });

  it('does not keep a scene whose file cannot be opened', async () => {
    const cache = new OpenSceneCache(store);
    const missing: SceneRecord = { ...first, file: { ...first.file, key: `${first.file.key}.missing` } };
    await expect(cache.withPair(missing, second, async () => null)).rejects.toThrow();
    await expect(cache.withPair(missing, second, async () => null)).rejects.toThrow();
    // the pair that exists still works
    await expect(cache.withPair(first, second, async (b, a) => [b.record.sceneId, a.record.sceneId])).resolves.toEqual([first.sceneId, second.sceneId]);
    await cache.close();
  });
});
