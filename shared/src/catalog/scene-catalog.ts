import type { BlobStore } from '../storage/index.js';
import { tilesOf } from '../grid/lattice.js';
import { keys } from './keys.js';
import { SceneRecord } from './scene-record.js';
import { stacItemOf } from './stac-item.js';
import { stableJson } from '../util/stable-json.js';

/**
 * The scene catalog lives in storage: one record per scene, and one small entry per (grid cell, date,
 * scene) so "which scenes cover this cell before that date" is a prefix listing, on disk or on S3.
 */

export async function putScene(store: BlobStore, scene: SceneRecord): Promise<void> {
  await store.put(keys.scene(scene.sceneId), stableJson(scene));
  await store.put(keys.stacItem(scene.sceneId), stableJson(stacItemOf(scene), 2), { contentType: 'application/geo+json' });
  for (const cell of tilesOf(scene.placement)) {
    await store.put(
      keys.cellEntry(scene.placement.lattice.gridId, cell.tileId, scene.acquiredAt, scene.sceneId),
      stableJson({ sceneId: scene.sceneId, acquiredAt: scene.acquiredAt }),
    );
  }
}

export async function getScene(store: BlobStore, sceneId: string): Promise<SceneRecord> {
  const bytes = await store.get(keys.scene(sceneId));
  return SceneRecord.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
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
