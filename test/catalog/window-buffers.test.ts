/**
 * Windows read into the arrays a tile job's workspace lends (OpenScene.readUsableWindow with
 * Workspace.windowBuffers), on the Taizhou fixture epochs ingested into a real local store: the pixels are
 * those of a plain read, each window of an epoch lands in the same array from tile to tile (no new array a
 * tile), the two epochs in arrays of their own, and with an arena workspace in the arena, where the change
 * pass reads them in place.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, type BlobStore, type SceneRecord } from '@shoutu/shared';
import { openScene, type OpenScene } from '@shoutu/shared/catalog/open-scene.js';
import { Workspace } from '@shoutu/shared/detection/classify-change.js';
import { inArena } from '@shoutu/shared/kernels/wasm/runtime.js';
import { TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;
let records: SceneRecord[];
let scenes: OpenScene[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-window-buffers-'));
  store = createStore({ kind: 'local', dir });
  records = [];
  for (const epoch of TAIZHOU_EPOCHS) records.push((await ingestBatch(store, directorySource(epoch), defaultParameters())).scenes[0]!);
  scenes = await Promise.all(records.map((r) => openScene(store, r)));
});

afterAll(async () => {
  await Promise.all((scenes ?? []).map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Two windows of the same size, as two tiles of a lattice are. */
const windowsOf = (record: SceneRecord) => [
  { col: record.placement.col0, row: record.placement.row0, width: 40, height: 30 },
  { col: record.placement.col0 + 50, row: record.placement.row0 + 20, width: 40, height: 30 },
];

describe('windows read into a workspace', () => {
  for (const arena of [false, true]) {
    it(`gives the pixels of a plain read, in one array per epoch kept from tile to tile (${arena ? 'arena' : 'ordinary'} workspace)`, async () => {
      const work = new Workspace({ arena });
      try {
        const held: ArrayBufferView[][] = [[], []];
        for (const [k, scene] of scenes.entries()) {
          for (const w of windowsOf(records[k]!)) {
            const plain = await scene.readUsableWindow(w);
            const lent = await scene.readUsableWindow(w, false, work.windowBuffers(k === 0 ? 'before' : 'after'));
            expect(lent).toEqual(plain);
            expect(lent).not.toBe(plain);
            expect(inArena(lent)).toBe(arena);
            held[k]!.push(lent);
          }
        }
        for (const [first, second] of held) {
          // the second tile's window is where the first one's was (same memory), the epochs apart
          expect(second!.buffer).toBe(first!.buffer);
          expect(second!.byteOffset).toBe(first!.byteOffset);
        }
        expect(held[0]![0]!.buffer === held[1]![0]!.buffer && held[0]![0]!.byteOffset === held[1]![0]!.byteOffset).toBe(false);
      } finally {
        work.release();
      }
    });
  }
});
