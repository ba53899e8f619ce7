import type { BlobStore } from '../storage/index.js';
import { nativeArrayType, openGeoTiff, type GeoTiffRaster, type GeoTiffSource, type NativeSamples } from '../raster/index.js';
import { storeRangeFetcher } from '../remote/store-range-fetcher.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { SceneRecord } from './scene-record.js';
import { maskUnusablePixels, planesWithFirstBand, sceneValidity, usableAsRead, usableAsWindow, usableSamples, type UsableSamples, type UsableSampleType, type WindowBuffers } from '../detection/validity.js';
import { comparesAllBands, pairBands } from '../detection/pair-bands.js';
import { filePlanes, pickBands } from '../detection/evidence-bands.js';
import { andNotEveryBandAtMask } from '../kernels/every-band-at-mask.js';

/** The array types of a file's own samples that usable windows keep (nativeArrayType's names). */
const USABLE_TYPES = new Map<string, UsableSampleType>([
  ['Uint8Array', Uint8Array],
  ['Int8Array', Int8Array],
  ['Uint16Array', Uint16Array],
  ['Int16Array', Int16Array],
]);

/** An ingested scene opened for reading by lattice windows. */
export interface OpenScene {
  record: SceneRecord;
  raster: GeoTiffRaster;
  /**
   * Reads a lattice window (must lie inside the scene) as planar Float32; `lastUse` and `reuse` (an array of
   * the window's size to read into): see GeoTiffRaster.readWindow. `planes`: only these planes (ascending
   * indices), as they are in the whole window.
   */
  readWindow(window: LatticeWindow, lastUse?: boolean, reuse?: Float32Array, planes?: readonly number[]): Promise<Float32Array>;
  /**
   * readWindow with saturated, cloud/shadow and operator-masked pixels set to NaN in every band. `reuse`:
   * an array of the window's size to read into (GeoTiffRaster.readWindow).
   */
  readValidWindow(window: LatticeWindow, lastUse?: boolean, reuse?: Float32Array): Promise<Float32Array>;
  /**
   * The same pixels as readValidWindow, but in the file's own 8/16-bit samples when nothing in the window
   * is unusable (no cloud test or mask applies, no sample saturated): half the memory or less, and no
   * conversion. Otherwise readValidWindow's float32 window. `buffers`: where to read it (a view of some of
   * the file's bands still returns a new array). `planes`: only these planes (ascending indices), with the
   * same values as those planes of the whole window (each pixel's usability is still decided on every band).
   */
  readUsableWindow(window: LatticeWindow, lastUse?: boolean, buffers?: WindowBuffers, planes?: readonly number[]): Promise<UsableSamples>;
  /**
   * From now on the file's blocks kept decoded between windows hold only `planes` (ascending indices into
   * the scene's planes; null: every plane), the planes readUsableWindow is then asked for. Why: a tile job
   * of a Sentinel-2 stack reads 5 of 13 bands (detection/pass-planes.ts), and a row of decoded blocks of
   * every band is most of what it holds. Other reads still give every plane, decoding blocks again.
   */
  keepPlanes(planes: readonly number[] | null): void;
  /**
   * Where the scene's file covers the ground over a window: 1, and 0 where its alpha band is 0, its
   * internal mask is not set or every image band holds the fill value (validity.alphaBand,
   * raster.info.internalMask, validity.fill); null when the file marks none of these. What the evidence
   * images show as no data, without the cloud and saturation tests. `read`: the window as readWindow
   * returned it, when the caller has it: the alpha and fill tests look at it instead of decoding the
   * window again (a band view, whose windows lack planes of the file, decodes it). `planes`: the planes
   * `read` holds (ascending; default every plane); with the alpha band among them and, for the fill test,
   * the first band (a pixel at the fill value in every band is at it there), the window is decoded whole
   * only where some pixel's first band holds the fill value.
   */
  readCovered(window: LatticeWindow, read?: Float32Array, planes?: readonly number[]): Promise<Uint8Array | null>;
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
  const readWindow = async (w: LatticeWindow, lastUse = false, reuse?: Float32Array, planes?: readonly number[]): Promise<Float32Array> => {
    if (planes === undefined) return raster.readWindow(w.col - col0, w.row - row0, w.width, w.height, reuse, lastUse);
    const native = await raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height, reuse, lastUse, planes);
    if (native instanceof Float32Array) return native;
    const out = reuse !== undefined && reuse.length === native.length ? reuse : new Float32Array(native.length);
    out.set(native);
    return out;
  };
  const spec = record.validity;
  const validity = sceneValidity(record.bands, {
    sampleFormat: record.raster.sampleFormat,
    bitsPerSample: record.raster.bitsPerSample,
    saturation: spec?.saturation,
    fill: spec?.fill ?? null,
    reflectance: spec?.reflectance,
    maskBand: spec?.cloudMask?.band ?? null,
    maskedValues: spec?.cloudMask?.values ?? null,
    alphaBand: spec?.alphaBand ?? null,
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
  const readValidWindow = async (w: LatticeWindow, lastUse = false, reuse?: Float32Array) => {
    const [planar, plane, covered] = await Promise.all([
      readWindow(w, lastUse, reuse),
      mask ? mask.readWindow(w.col - col0, w.row - row0, w.width, w.height, undefined, lastUse) : null,
      raster.readMaskWindow(w.col - col0, w.row - row0, w.width, w.height),
    ]);
    maskUnusablePixels(planar, w.width, w.height, record.raster.bands, validity, plane, covered);
    return planar;
  };
  const plain = usableAsRead(validity, mask !== null || raster.info.internalMask, record.raster.sampleFormat, record.raster.bitsPerSample);
  const nativeType = plain ? USABLE_TYPES.get(nativeArrayType(raster.info)) : undefined;
  // whether a window's first band must be read to tell if it holds a saturated or fill pixel (usableAsWindow)
  const firstBandTells = validity.saturation !== null || validity.fill !== null;
  return {
    record,
    raster,
    readWindow,
    readValidWindow,
    readUsableWindow: async (w, lastUse = false, buffers, planes) => {
      const pixels = w.width * w.height;
      const bands = raster.info.bands;
      const floats = buffers && ((n: number) => buffers.floats(n));
      if (planes === undefined || (planes.length === bands && planes.every((b, i) => b === i))) {
        if (!plain) return readValidWindow(w, lastUse, buffers?.floats(pixels * bands));
        const reuse = buffers && nativeType ? (buffers.samples(nativeType, pixels * bands) as NativeSamples) : undefined;
        const native = await raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height, reuse, lastUse);
        return usableSamples(native, w.width, w.height, record.raster.bands, validity, floats);
      }
      // a window some of whose pixels a test of other bands may mask: the whole window, decided, then the planes
      if (!plain || nativeType === undefined) return pickBands(await readValidWindow(w, lastUse), pixels, planes);
      // The planes and the first band, which tells whether any pixel of the window is saturated or fill
      // (usableSamples): where none is, the planes are usable as read; else the whole window is read and
      // decided on every band, as without planes (rare: a saturated or fill pixel in the window).
      const read = planesWithFirstBand(planes, firstBandTells);
      const reuse = buffers ? (buffers.samples(nativeType, pixels * read.length) as NativeSamples) : undefined;
      const native = await raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height, reuse, lastUse, read);
      if (!firstBandTells || usableAsWindow(native, pixels, validity)) return (read === planes ? native : native.subarray(pixels)) as UsableSamples;
      const whole = await raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height, undefined, lastUse);
      return pickBands(usableSamples(whole, w.width, w.height, record.raster.bands, validity, floats), pixels, planes);
    },
    // (only where readUsableWindow reads planes: else every read would decode the blocks again)
    keepPlanes: (planes) => {
      if (plain && nativeType !== undefined) raster.keepPlanes(planes === null ? null : planesWithFirstBand(planes, firstBandTells));
    },
    readCovered: async (w, read, planes) => {
      const alpha = spec?.alphaBand ?? null;
      const fill = spec?.fill ?? null;
      if (alpha === null && fill === null && !raster.info.internalMask) return null;
      const pixels = w.width * w.height;
      const covered = (await raster.readMaskWindow(w.col - col0, w.row - row0, w.width, w.height)) ?? new Uint8Array(pixels).fill(1);
      if (alpha !== null || fill !== null) {
        const whole = () => raster.readWindowNative(w.col - col0, w.row - row0, w.width, w.height);
        const every = planes === undefined || planes.length === raster.info.bands;
        const usable = read !== undefined && (every || ((alpha === null || planes!.includes(alpha)) && (fill === null || planes![0] === 0)));
        const planar = usable ? read : await whole();
        const at = (band: number) => (usable && !every ? planes!.indexOf(band) : band) * pixels;
        if (alpha !== null) for (let i = 0, a = at(alpha); i < pixels; i++) if (planar[a + i] === 0) covered[i] = 0;
        if (fill !== null) {
          if (!usable || every) andNotEveryBandAtMask(planar, w.width, w.height, record.bands.length, fill, covered);
          else if (planar.subarray(0, pixels).includes(fill)) andNotEveryBandAtMask(await whole(), w.width, w.height, record.bands.length, fill, covered);
        }
      }
      return covered;
    },
    close: async () => {
      await Promise.all([raster.close(), mask?.close()]);
    },
  };
}

/**
 * Opens a before/after pair; if the second cannot be opened the first is closed again. The two are seen as
 * the pair compares them (comparablePair).
 */
export async function openScenePair(store: BlobStore, before: SceneRecord, after: SceneRecord, options: OpenSceneOptions = {}): Promise<[OpenScene, OpenScene]> {
  const b = await openScene(store, before, options);
  let a: OpenScene;
  try {
    a = await openScene(store, after, options);
  } catch (error) {
    await b.close();
    throw error;
  }
  try {
    return comparablePair(b, a);
  } catch (error) {
    await Promise.all([b.close(), a.close()]);
    throw error;
  }
}

/**
 * A pair's two scenes as the pair reads them, so that every step compares band with band of one kind:
 * - the same kinds of band in another order (an epoch delivered as red, green, blue against one as blue,
 *   green, red): the before scene in the after scene's band order; bands after the image bands (a cloud
 *   mask band) stay where they are;
 * - epochs of two sensors (pairBands): both scenes reduced to the kinds they share, in the after scene's
 *   order, and nothing else (each scene's own validity tests have already read all its bands).
 * Each view's record names its bands and counts its planes. Closing a view closes its scene.
 */
export function comparablePair(before: OpenScene, after: OpenScene): [OpenScene, OpenScene] {
  const bands = pairBands(before.record.bands, after.record.bands);
  if (bands === null) {
    throw new Error(`scenes ${before.record.sceneId} and ${after.record.sceneId} share no band that shows the land (${before.record.bands.join(',')} / ${after.record.bands.join(',')})`);
  }
  if (comparesAllBands(bands)) {
    if (bands.before.every((from, to) => from === to)) return [before, after];
    const trailing = Array.from({ length: before.record.raster.bands - bands.before.length }, (_, k) => bands.before.length + k);
    return [bandView(before, [...bands.before, ...trailing]), after];
  }
  return [bandView(before, bands.before), bandView(after, bands.after)];
}

/** A scene seen as the given planes of its file, in that order; the record's bands name its image planes. */
function bandView(scene: OpenScene, planes: number[]): OpenScene {
  const imageBands = scene.record.bands;
  const pick = <T extends UsableSamples>(samples: T, window: LatticeWindow): T => pickBands(samples, window.width * window.height, planes);
  return {
    record: {
      ...scene.record,
      bands: planes.filter((j) => j < imageBands.length).map((j) => imageBands[j]!),
      raster: { ...scene.record.raster, bands: planes.length },
    },
    raster: scene.raster,
    readWindow: async (w, lastUse, _reuse, some) => {
      if (some === undefined) return pick(await scene.readWindow(w, lastUse), w);
      const { read, order } = filePlanes(planes, some);
      return pickBands(await scene.readWindow(w, lastUse, undefined, read), w.width * w.height, order);
    },
    readValidWindow: async (w, lastUse) => pick(await scene.readValidWindow(w, lastUse), w),
    readUsableWindow: async (w, lastUse, buffers, some) => {
      if (some === undefined) return pick(await scene.readUsableWindow(w, lastUse, buffers), w);
      // the scene's planes behind the view's, read in the scene's order and put in the view's
      const { read, order } = filePlanes(planes, some);
      return pickBands(await scene.readUsableWindow(w, lastUse, buffers, read), w.width * w.height, order);
    },
    keepPlanes: (some) => scene.keepPlanes(some === null ? null : filePlanes(planes, some).read),
    // its windows lack the planes of the file it does not compare (an alpha band among them)
    readCovered: (w) => scene.readCovered(w),
    close: () => scene.close(),
  };
}
