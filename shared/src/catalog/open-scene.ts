import type { BlobStore } from '../storage/index.js';
import { openGeoTiff, type GeoTiffRaster, type GeoTiffSource } from '../raster/index.js';
import { storeRangeFetcher } from '../remote/store-range-fetcher.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { SceneRecord } from './scene-record.js';
import { maskUnusablePixels, sceneValidity, usableAsRead, usableSamples, type UsableSamples } from '../detection/validity.js';
import { bandPermutation } from '../detection/band-names.js';

/** An ingested scene opened for reading by lattice windows. */
export interface OpenScene {
  record: SceneRecord;
  raster: GeoTiffRaster;
  /** Reads a lattice window (must lie inside the scene) as planar Float32; `lastUse`: see GeoTiffRaster. */
  readWindow(window: LatticeWindow, lastUse?: boolean): Promise<Float32Array>;
  /** readWindow with saturated, cloud/shadow and operator-masked pixels set to NaN in every band. */
  readValidWindow(window: LatticeWindow, lastUse?: boolean): Promise<Float32Array>;
  /**
   * The same pixels as readValidWindow, but in the file's own 8/16-bit samples when nothing in the window
   * is unusable (no cloud test or mask applies, no sample saturated): half the memory or less, and no
   * conversion. Otherwise readValidWindow's float32 window.
   */
  readUsableWindow(window: LatticeWindow, lastUse?: boolean): Promise<UsableSamples>;
  close(): Promise<void>;
}

/**
 * Scene files on a remote store (S3) of at least this many bytes are read by byte ranges — the header,
 * then only the blocks each window needs —; smaller ones are downloaded whole (one request costs less
 * than several). The pixels are the same either way.
 */
export const RANGE_READ_MIN_BYTES = 16 * 1024 * 1024;

export interface OpenSceneOptions {
  /** See RANGE_READ_MIN_BYTES. */
  rangeReadMinBytes?: number;
}

/** Where a stored file is read from: its local path, its bytes, or byte ranges of the remote object. */
async function storedSource(store: BlobStore, file: { key: string; bytes: number }, options: OpenSceneOptions): Promise<GeoTiffSource> {
  const path = store.localPath(file.key);
  if (path !== null) return { path };
  if (file.bytes >= (options.rangeReadMinBytes ?? RANGE_READ_MIN_BYTES)) return { remote: storeRangeFetcher(store, file.key) };
  return { bytes: await store.get(file.key) };
}

export async function openScene(store: BlobStore, record: SceneRecord, options: OpenSceneOptions = {}): Promise<OpenScene> {
  const raster = await openGeoTiff(await storedSource(store, record.file, options), record.file.key);
  const { col0, row0 } = record.placement;
  const readWindow = (w: LatticeWindow, lastUse = false) => raster.readWindow(w.col - col0, w.row - row0, w.width, w.height, undefined, lastUse);
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
    try {
      mask = await openGeoTiff(await storedSource(store, maskFile, options), maskFile.key);
    } catch (error) {
      await raster.close();
      throw error;
    }
  }
  const readValidWindow = async (w: LatticeWindow, lastUse = false) => {
    const [planar, plane] = await Promise.all([readWindow(w, lastUse), mask ? mask.readWindow(w.col - col0, w.row - row0, w.width, w.height, undefined, lastUse) : null]);
    maskUnusablePixels(planar, w.width, w.height, record.raster.bands, validity, plane);
    return planar;
  };
  const plain = usableAsRead(validity, mask !== null, record.raster.sampleFormat, record.raster.bitsPerSample);
  return {
    record,
    raster,
    readWindow,
    readValidWindow,
    readUsableWindow: async (w, lastUse = false) => {
      if (!plain) return readValidWindow(w, lastUse);
      const native = await raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height, undefined, lastUse);
      return usableSamples(native, w.width, w.height, record.raster.bands, validity);
    },
    close: async () => {
      await Promise.all([raster.close(), mask?.close()]);
    },
  };
}

/**
 * Opens a before/after pair; if the second cannot be opened the first is closed again. The before scene is
 * seen in the after scene's band order (inAfterBandOrder).
 */
export async function openScenePair(store: BlobStore, before: SceneRecord, after: SceneRecord, options: OpenSceneOptions = {}): Promise<[OpenScene, OpenScene]> {
  const b = await openScene(store, before, options);
  try {
    return [inAfterBandOrder(b, after), await openScene(store, after, options)];
  } catch (error) {
    await b.close();
    throw error;
  }
}

/**
 * The before scene of a pair as the pair reads it: in the after scene's band order when its bands are the
 * same kinds in another order (an epoch delivered as red, green, blue against one as blue, green, red), so
 * that every step compares band with band of one kind; else as it is. Bands after the image bands (a
 * cloud mask band) stay where they are. Closing the view closes the scene.
 */
export function inAfterBandOrder(before: OpenScene, after: SceneRecord): OpenScene {
  const order = bandPermutation(before.record.bands, after.bands);
  if (order === null) throw new Error(`scenes ${before.record.sceneId} and ${after.sceneId} hold different kinds of band (${before.record.bands.join(',')} / ${after.bands.join(',')})`);
  if (order.every((from, to) => from === to)) return before;
  const permute = <T extends UsableSamples>(samples: T, window: LatticeWindow): T => {
    const plane = window.width * window.height;
    const out = new (samples.constructor as new (n: number) => T)(samples.length);
    order.forEach((from, to) => out.set(samples.subarray(from * plane, (from + 1) * plane), to * plane));
    out.set(samples.subarray(order.length * plane), order.length * plane);
    return out;
  };
  return {
    record: { ...before.record, bands: order.map((j) => before.record.bands[j]!) },
    raster: before.raster,
    readWindow: async (w, lastUse) => permute(await before.readWindow(w, lastUse), w),
    readValidWindow: async (w, lastUse) => permute(await before.readValidWindow(w, lastUse), w),
    readUsableWindow: async (w, lastUse) => permute(await before.readUsableWindow(w, lastUse), w),
    close: () => before.close(),
  };
}
