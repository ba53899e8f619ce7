import type { BlobStore } from '../storage/index.js';
import { openGeoTiff, type GeoTiffRaster } from '../raster/index.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { SceneRecord } from './scene-record.js';

/** An ingested scene opened for reading by lattice windows. */
export interface OpenScene {
  record: SceneRecord;
  raster: GeoTiffRaster;
  /** Reads a lattice window (must lie inside the scene) as planar Float32. */
  readWindow(window: LatticeWindow): Promise<Float32Array>;
  close(): Promise<void>;
}

export async function openScene(store: BlobStore, record: SceneRecord): Promise<OpenScene> {
  const path = store.localPath(record.file.key);
  const source = path === null ? { bytes: await store.get(record.file.key) } : { path };
  const raster = await openGeoTiff(source, record.file.key);
  const { col0, row0 } = record.placement;
  return {
    record,
    raster,
    readWindow: (w) => raster.readWindow(w.col - col0, w.row - row0, w.width, w.height),
    close: () => raster.close(),
  };
}

/** Opens a before/after pair; if the second cannot be opened the first is closed again. */
export async function openScenePair(store: BlobStore, before: SceneRecord, after: SceneRecord): Promise<[OpenScene, OpenScene]> {
  const b = await openScene(store, before);
  try {
    return [b, await openScene(store, after)];
  } catch (error) {
    await b.close();
    throw error;
  }
}
