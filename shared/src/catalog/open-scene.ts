import type { BlobStore } from '../storage/index.js';
import { openGeoTiff, type GeoTiffRaster } from '../raster/index.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { SceneRecord } from './scene-record.js';
import { maskUnusablePixels, sceneValidity } from '../detection/validity.js';

/** An ingested scene opened for reading by lattice windows. */
export interface OpenScene {
  record: SceneRecord;
  raster: GeoTiffRaster;
  /** Reads a lattice window (must lie inside the scene) as planar Float32. */
  readWindow(window: LatticeWindow): Promise<Float32Array>;
  /** readWindow with saturated, cloud/shadow and operator-masked pixels set to NaN in every band. */
  readValidWindow(window: LatticeWindow): Promise<Float32Array>;
  close(): Promise<void>;
}

export async function openScene(store: BlobStore, record: SceneRecord): Promise<OpenScene> {
  const path = store.localPath(record.file.key);
  const source = path === null ? { bytes: await store.get(record.file.key) } : { path };
  const raster = await openGeoTiff(source, record.file.key);
  const { col0, row0 } = record.placement;
  const readWindow = (w: LatticeWindow) => raster.readWindow(w.col - col0, w.row - row0, w.width, w.height);
  const spec = record.validity;
  const validity = sceneValidity(record.bands, {
    sampleFormat: record.raster.sampleFormat,
    bitsPerSample: record.raster.bitsPerSample,
    saturation: spec?.saturation,
    reflectance: spec?.reflectance,
    maskBand: spec?.cloudMask?.band ?? null,
    maskedValues: spec?.cloudMask?.values ?? null,
  });
  let mask: GeoTiffRaster | null = null;
  const maskFile = spec?.cloudMask?.file;
  if (maskFile) {
    const maskPath = store.localPath(maskFile.key);
    try {
      mask = await openGeoTiff(maskPath === null ? { bytes: await store.get(maskFile.key) } : { path: maskPath }, maskFile.key);
    } catch (error) {
      await raster.close();
      throw error;
    }
  }
  return {
    record,
    raster,
    readWindow,
    readValidWindow: async (w) => {
      const [planar, plane] = await Promise.all([readWindow(w), mask ? mask.readWindow(w.col - col0, w.row - row0, w.width, w.height) : null]);
      maskUnusablePixels(planar, w.width, w.height, record.raster.bands, validity, plane);
      return planar;
    },
    close: async () => {
      await Promise.all([raster.close(), mask?.close()]);
    },
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
