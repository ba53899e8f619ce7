import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type BlobStore } from '../storage/index.js';
import { OpenSceneCache } from '../catalog/scene-cache.js';
import { keys } from '../catalog/keys.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { MaskCache } from './mask-store.js';
import { detectAndAlertTile } from './tile-stage.js';

describe('detectAndAlertTile', () => {
  let dir: string;
  let store: BlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoutu-tile-stage-'));
    store = createStore({ kind: 'local', dir });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records a tile whose detect fails as failed, with the reason, instead of throwing', async () => {
    // The scenes the job names are not in the store: detectTile throws before reading anything.
    const job = { batchId: 'b-1', tileKey: 'g/t0', sceneId: 'missing.after', baselineSceneId: 'missing.before' } as unknown as DetectTileJob;
    const scenes = new OpenSceneCache(store);
    const outcome = await detectAndAlertTile(store, job, new MaskCache(), scenes);
    await scenes.close();
    expect(outcome.status).toBe('failed');
    expect(outcome.observationIds).toEqual([]);
    expect(outcome.reason).toMatch(/missing\.(before|after)/);
    const stored = JSON.parse(Buffer.from(await store.get(keys.batchTileResult('b-1', 'g/t0'))).toString('utf8'));
    expect(stored).toEqual(outcome);
  });
});
