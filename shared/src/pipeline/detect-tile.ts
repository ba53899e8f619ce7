import type { BlobStore } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { getScene } from '../catalog/scene-catalog.js';
import { openScene } from '../catalog/open-scene.js';
import { keys } from '../catalog/keys.js';
import { windowGeoTransform } from '../grid/lattice.js';
import { rasterizeMaskLayer } from '../masks/index.js';
import { allocateChangeBuffers, classifyChange, pairStatsArrays } from '../detection/classify-change.js';
import { extractPatches, type Patch } from '../detection/extract-patches.js';
import { DETECTOR_VERSION, MASK_LAYERS } from '../detection/parameters.js';
import { stableJson } from '../util/stable-json.js';
import type { MaskCache } from './mask-store.js';

/** What detect stores per tile: the job it ran, counts, and the patches. */
export interface DetectResult {
  schema: 'shoutu.detect/1';
  detector: string;
  job: DetectTileJob;
  validPixels: number;
  changedPixels: number;
  patches: Patch[];
}

/**
 * Detect one tile: read both epochs' windows, classify change with the pair's statistics, rasterise
 * the pinned mask layers onto the tile, and describe the change patches. Writes detect/<batch>/<tile>.json.
 */
export async function detectTile(store: BlobStore, job: DetectTileJob, masks: MaskCache): Promise<DetectResult> {
  const [beforeRecord, afterRecord] = await Promise.all([getScene(store, job.baselineSceneId), getScene(store, job.sceneId)]);
  const [before, after] = await Promise.all([openScene(store, beforeRecord), openScene(store, afterRecord)]);
  const { window } = job;
  const lattice = afterRecord.placement.lattice;
  let b: Float32Array;
  let a: Float32Array;
  try {
    [b, a] = await Promise.all([before.readWindow(window), after.readWindow(window)]);
  } finally {
    await Promise.all([before.close(), after.close()]);
  }
  const pixels = window.width * window.height;
  const buffers = allocateChangeBuffers(pixels);
  classifyChange(b, a, window.width, window.height, afterRecord.raster.bands, beforeRecord.raster.nodata, afterRecord.raster.nodata, pairStatsArrays(job.pairStats), job.parameters.opening, buffers);

  const classes = new Uint8Array(pixels);
  const grid = { epsg: lattice.epsg, geoTransform: windowGeoTransform(lattice, window), width: window.width, height: window.height };
  for (const ref of job.masks) {
    const layer = await masks.load(store, ref);
    rasterizeMaskLayer(layer, grid, 1 << MASK_LAYERS.indexOf(ref.layer), classes);
  }

  let validPixels = 0;
  let changedPixels = 0;
  for (let i = 0; i < pixels; i++) {
    validPixels += buffers.valid[i]!;
    changedPixels += buffers.cleaned[i]!;
  }
  const result: DetectResult = {
    schema: 'shoutu.detect/1',
    detector: DETECTOR_VERSION,
    job,
    validPixels,
    changedPixels,
    patches: extractPatches(buffers.cleaned, buffers.score, classes, lattice, window, job.parameters.minAreaM2),
  };
  await store.put(keys.detectResult(job.batchId, job.tileKey), stableJson(result), { contentType: 'application/json' });
  return result;
}
