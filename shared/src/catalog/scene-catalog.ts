import type { BlobStore } from '../storage/index.js';
import { tilesOf } from '../grid/lattice.js';
import { keys } from './keys.js';
import { SceneRecord } from './scene-record.js';
import { stacItemOf } from './stac-item.js';
import { stableJson } from '../util/stable-json.js';
import { mapInOrder, STORE_REQUESTS_IN_FLIGHT } from '../util/map-in-order.js';

/**
 * The scene catalog lives in storage: one record per scene, and one small entry per (grid cell, date,
 * scene) so "which scenes cover this cell before that date" is a prefix listing, on disk or on S3.
 */

export async function putScene(store: BlobStore, scene: SceneRecord): Promise<void> {
  await store.put(keys.scene(scene.sceneId), stableJson(scene));
  await store.put(keys.stacItem(scene.sceneId), stableJson(stacItemOf(scene), 2), { contentType: 'application/geo+json' });
  await mapInOrder(tilesOf(scene.placement), STORE_REQUESTS_IN_FLIGHT, (cell) =>
    store.put(keys.cellEntry(scene.placement.lattice.gridId, cell.tileId, scene.acquiredAt, scene.sceneId), stableJson({ sceneId: scene.sceneId, acquiredAt: scene.acquiredAt })),
  );
}

export async function getScene(store: BlobStore, sceneId: string): Promise<SceneRecord> {
  return parseSceneRecord(await store.get(keys.scene(sceneId)));
}

function parseSceneRecord(bytes: Uint8Array): SceneRecord {
  return SceneRecord.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
}

/** Reads a scene record by id (getScene, or a SceneLookup's memo of it). */
export type SceneLookup = (sceneId: string) => Promise<SceneRecord>;

/**
 * getScene with each record's bytes read once, every call given its own parsed copy: for the tiles of one
 * run or batch, whose scene records ingest wrote before it planned them and which nothing changes while
 * they are detected and alerted. Every tile reads the records of its pair; on a remote store that is two
 * requests a tile, as many as the tile's own result. A read that fails is not kept (the next call reads again).
 */
export function sceneLookup(store: BlobStore): SceneLookup {
  const stored = new Map<string, Promise<Uint8Array>>();
  return async (sceneId) => {
    let bytes = stored.get(sceneId);
    if (bytes === undefined) {
      bytes = store.get(keys.scene(sceneId));
      stored.set(sceneId, bytes);
      bytes.catch(() => stored.delete(sceneId));
    }
    return parseSceneRecord(await bytes);
  };
}

/**
 * The baseline of a cell: the latest scene acquired strictly before `date` (ties broken by scene id,
 * so the choice is deterministic). Null when the cell has no earlier epoch.
 */
export async function findBaseline(store: BlobStore, gridId: string, tileId: string, date: string): Promise<string | null> {
  const entries = await store.list(keys.cellEntries(gridId, tileId));
  let best: string | null = null;
  for (const key of entries) {
    const name = key.slice(key.lastIndexOf('/') + 1, -'.json'.length);
    const acquiredAt = name.slice(0, 10);
    if (acquiredAt < date) best = name.slice(11);
  }
  return best;
}
