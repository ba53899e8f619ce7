import type { BlobStore } from '../storage/index.js';
import type { DetectTileJob } from '../schemas/jobs.js';
import { getScene, type SceneLookup } from '../catalog/scene-catalog.js';
import { withScenePair, type OpenSceneCache } from '../catalog/scene-cache.js';
import { pairShadowTest } from '../detection/pair-shadows.js';
import { keys } from '../catalog/keys.js';
import { extentOf, intersect, windowGeoTransform } from '../grid/lattice.js';
import { rasterizeMaskLayer } from '../masks/index.js';
import { classifyWindow, haloOf, scoreModel, windowValidity, Workspace, type BlockScorer, type ScoreModel } from '../detection/classify-change.js';
import { PooledStructure, type TileBlocks } from '../detection/pooled-structure.js';
import type { OpenScene } from '../catalog/open-scene.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { extractPatches, type EdgeRuns, type Patch } from '../detection/extract-patches.js';
import { DETECTOR_VERSION, MASK_LAYERS } from '../detection/parameters.js';
import { indexPlan } from '../detection/change-evidence.js';
import { vegetationTestOf } from '../detection/seasonal.js';
import { passPlanes, statsOnPlanes } from '../detection/pass-planes.js';
import type { BandName } from '../schemas/manifest.js';
import { stableJson } from '../util/stable-json.js';
import type { MaskCache } from './mask-store.js';
import { tileCoverage, unusableByEpoch, type TileCoverage } from '../detection/coverage.js';

/** What detect stores per tile: the job it ran, counts, and the patches. */
export interface DetectResult {
  schema: 'shoutu.detect/1';
  detector: string;
  job: DetectTileJob;
  validPixels: number;
  changedPixels: number;
  /** How much of the tile could be examined, in all and in each pinned mask layer (detection/coverage.ts). */
  coverage: TileCoverage;
  /** Whole patches (≥ minimum area) and, marked touchesEdge, the parts that reach the tile's edge. */
  patches: Patch[];
  edges: EdgeRuns;
}

/**
 * Detect one tile: read both epochs' windows, classify change with the pair's statistics, rasterise
 * the pinned mask layers onto the tile, and describe the change patches. Writes detect/<batch>/<tile>.json.
 * `sceneOf`: how the pair's scene records are read (a run's or batch's sceneLookup; getScene by default).
 */
export async function detectTile(store: BlobStore, job: DetectTileJob, masks: MaskCache, scenes?: OpenSceneCache, sceneOf: SceneLookup = (id) => getScene(store, id)): Promise<DetectResult> {
  // A tile's rasters are megabytes each: taken from a workspace the thread's earlier tiles used, not
  // allocated per tile. One workspace per tile in progress (a service may run several jobs at once). Its
  // windows and the change pass's outputs are arena arrays, which the pass reads and writes in place.
  const work = idleWorkspaces.pop() ?? new Workspace({ arena: true });
  try {
    return await detectTileWith(work, store, job, masks, scenes, sceneOf);
  } finally {
    idleWorkspaces.push(work);
  }
}

/** Workspaces of this thread's finished tiles. */
const idleWorkspaces: Workspace[] = [];

async function detectTileWith(work: Workspace, store: BlobStore, job: DetectTileJob, masks: MaskCache, scenes: OpenSceneCache | undefined, sceneOf: SceneLookup): Promise<DetectResult> {
  const [beforeRecord, afterRecord] = await Promise.all([sceneOf(job.baselineSceneId), sceneOf(job.sceneId)]);
  const { window } = job;
  const lattice = afterRecord.placement.lattice;
  const overlap = intersect(extentOf(beforeRecord.placement), extentOf(afterRecord.placement));
  if (!overlap) throw new Error(`tile ${job.tileKey}: scenes ${job.baselineSceneId} and ${job.sceneId} do not overlap`);
  // Drone imagery scored by structure on blocks takes the blocks around the tile from the thread's
  // PooledStructure of the pair (computed once per tile of the pair, kept from job to job), and the tile
  // needs only the clean-up's halo; otherwise the halo holds everything the score reads.
  const pooled = PooledStructure.fits(job.pairStats.structure, lattice.tileSize);
  // The halo makes the neighbourhood steps independent of where the tile is cut.
  const halo = haloOf(window, overlap, job.pairStats.structure, pooled);
  // In the files' own 8/16-bit samples where nothing in the window is unusable (the kernels take either).
  // Kept open (scenes), the blocks this window cuts stay decoded for the neighbouring tiles' jobs.
  // The after view's record names the bands compared (epochs of two sensors: those both hold).
  const [b, a, bands, model, blocks] = await withScenePair(store, beforeRecord, afterRecord, scenes, async (before, after, lastUse) => {
    const shadowOf = (planes: readonly number[] | null) => {
      const of = (names: readonly (BandName | null)[]) => (planes === null ? names : planes.map((j) => names[j]!));
      return pairShadowTest(of(before.record.bands), of(after.record.bands), beforeRecord.validity?.reflectance, afterRecord.validity?.reflectance);
    };
    let model = scoreModel(job.pairStats, beforeRecord.raster.nodata, afterRecord.raster.nodata, after.record.raster.bands, shadowOf(null));
    // The windows hold only the planes the pass reads (a Sentinel-2 stack: 5 of 13 once its 20 m and 60 m
    // bands are found replicated), and the file blocks kept from tile to tile only those; everything below is
    // told of those planes only, as `shoutu detect`'s halo caches are (PairWork.detect). A pair scored by
    // structure keeps every plane.
    let bands = after.record.bands;
    let planes: number[] | undefined;
    if (!job.pairStats.structure) {
      const read = passPlanes(bands, model);
      if (read.length < after.record.raster.bands) {
        planes = read;
        bands = read.map((j) => after.record.bands[j]!);
        model = scoreModel(statsOnPlanes(job.pairStats, read), beforeRecord.raster.nodata, afterRecord.raster.nodata, read.length, shadowOf(read));
      }
    }
    before.keepPlanes(planes ?? null);
    after.keepPlanes(planes ?? null);
    const blocks = pooled ? await blocksAround(job, model, overlap, lattice.tileSize, halo, before, after, work) : undefined;
    const windows = await Promise.all([before.readUsableWindow(halo, lastUse, work.windowBuffers('before'), planes), after.readUsableWindow(halo, lastUse, work.windowBuffers('after'), planes)]);
    return [...windows, bands, model, blocks] as const;
  });
  const pixels = window.width * window.height;
  const scored = classifyWindow(b, a, halo, window, model, job.pairStats.threshold, job.parameters.opening, vegetationTestOf(bands), work, blocks);
  const maps = scored;

  const classes = work.bytes('classes', pixels).fill(0);
  const grid = { epsg: lattice.epsg, geoTransform: windowGeoTransform(lattice, window), width: window.width, height: window.height };
  for (const ref of job.masks) {
    const layer = await masks.load(store, ref);
    rasterizeMaskLayer(layer, grid, 1 << MASK_LAYERS.indexOf(ref.layer), classes);
  }

  let validPixels = 0;
  let changedPixels = 0;
  for (let i = 0; i < pixels; i++) {
    validPixels += scored.valid[i]!;
    changedPixels += maps.cleaned[i]!;
  }
  const unusable = unusableByEpoch({ before: b, after: a, window: halo, valid: scored.haloValid, model }, window, validPixels);
  const coverage = tileCoverage(scored.valid, classes, job.masks.map((ref) => ref.layer), lattice, window, validPixels, unusable);
  const evidence = { halo, haloValid: scored.haloValid, before: b, after: a, plan: indexPlan(bands, model) };
  const { patches, edges } = extractPatches(maps.cleaned, scored.score, classes, lattice, window, job.parameters.minAreaM2, evidence, work);
  const result: DetectResult = {
    schema: 'shoutu.detect/1',
    detector: DETECTOR_VERSION,
    job,
    validPixels,
    changedPixels,
    coverage,
    patches,
    edges,
  };
  await store.put(keys.detectResult(job.batchId, job.tileKey), stableJson(result), { contentType: 'application/json' });
  return result;
}

/**
 * This thread's blocks of the pairs it detects tiles of (PooledStructure), by pair: a job's tiles and its
 * neighbours' share most of the blocks their scores read. Blocks are a function of the pair's files and
 * statistics alone, so which job computed them changes nothing.
 */
const pooledPairs = new Map<string, PooledStructure>();
/** Blocks kept per thread (about 9 bytes each): the tiles around a run of 8 × 8 tiles at any block size. */
const POOLED_BLOCKS_KEPT = 8 << 20;
/** Pairs kept per thread. */
const POOLED_PAIRS_KEPT = 2;
/** The tiles whose blocks a job of this thread is computing, by pair and tile ("col,row"). */
const computing = new WeakMap<PooledStructure, Map<string, Promise<TileBlocks>>>();

/**
 * The blocks scoring `halo` reads, from the pair's PooledStructure, computed from the tiles' own windows
 * where not held yet. The blocks are held by the scorer returned, so another job's eviction cannot take
 * them before this job has scored.
 */
async function blocksAround(job: DetectTileJob, model: ScoreModel, overlap: LatticeWindow, tileSize: number, halo: LatticeWindow, before: OpenScene, after: OpenScene, work: Workspace): Promise<BlockScorer> {
  const key = JSON.stringify([job.baselineSceneId, job.sceneId, overlap, tileSize, job.pairStats]);
  let pair = pooledPairs.get(key);
  if (pair === undefined) {
    pair = new PooledStructure({ ...model, structure: model.structure! }, overlap, tileSize);
    pooledPairs.set(key, pair);
    for (const k of pooledPairs.keys()) if (pooledPairs.size > POOLED_PAIRS_KEPT) pooledPairs.delete(k);
  }
  let pending = computing.get(pair);
  if (pending === undefined) computing.set(pair, (pending = new Map()));
  const held: TileBlocks[] = [];
  for (const tile of pair.tilesFor(halo)) {
    let blocks = pair.get(tile);
    if (blocks === undefined) {
      // Jobs of a thread run interleaved: one that finds a tile's blocks being computed by another waits for
      // them, instead of reading and computing the same tile again.
      const tileKey = `${tile.col},${tile.row}`;
      let computed = pending.get(tileKey);
      if (computed === undefined) {
        const added = pair;
        const inFlight = pending;
        computed = (async () => {
          const [b, a] = await Promise.all([before.readUsableWindow(tile, false, work.windowBuffers('blocks before')), after.readUsableWindow(tile, false, work.windowBuffers('blocks after'))]);
          const evidence = windowValidity(b, a, tile.width, tile.height, model, work);
          return added.addTile(tile, evidence.before, evidence.after, evidence.valid, work);
        })().finally(() => inFlight.delete(tileKey));
        pending.set(tileKey, computed);
      }
      blocks = await computed;
    }
    held.push(blocks);
  }
  pair.keepBlocks(POOLED_BLOCKS_KEPT);
  const scorer = pair;
  return { score: (window, valid, scratch, out, decision) => scorer.scoreFrom(window, held, valid, scratch, out, decision) };
}
