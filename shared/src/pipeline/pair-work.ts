import { extentOf, intersect, placeOnLattice, placeRaster, tilesOf, type LatticeWindow, type Placement } from '../grid/lattice.js';
import { declareNodata, openGeoTiff, sameGrid, shiftGeoreference, type GeoTiffRaster, type GeoTiffSource, type NativeSamples, type RasterInfo } from '../raster/index.js';
import type { MaskLayer } from '../masks/index.js';
import { haloOf, scoreModel } from '../detection/classify-change.js';
import { structureOf, type StructureSpec } from '../detection/structural-change.js';
import { PooledStructure } from '../detection/pooled-structure.js';
import type { PairStats } from '../detection/pair-stats.js';
import type { BandName } from '../schemas/manifest.js';
import { InvalidInputError } from '../errors.js';
import { maskUnusablePixels, planesWithFirstBand, sceneValidity, typeFill, usableAsRead, usableAsWindow, usableSamples, type ReflectanceScale, type SceneValidity } from '../detection/validity.js';
import { pairShadowTest, type PairShadowTest } from '../detection/pair-shadows.js';
import { HaloWindowCache, type TileReader, type TileSamples } from './halo-window-cache.js';
import type { PairSide } from './compute-pair-stats.js';
import { indexPlan } from '../detection/change-evidence.js';
import { vegetationTestOf } from '../detection/seasonal.js';
import { detectTileRows, type ClassifiedRows } from './detect-pass.js';
import { groupRows, type TileRows } from './tile-rows.js';
import type { FileBands } from './compared-bands.js';
import { filePlanes, pickBands } from '../detection/evidence-bands.js';
import { passPlanes, statsOnPlanes } from '../detection/pass-planes.js';

/** Where a file comes from, and its name for messages. */
export interface NamedSource {
  source: GeoTiffSource;
  name: string;
  /** the file's nodata value as the operator declares it, over the file's own (declareNodata) */
  nodata?: number;
  /** whole pixels the file is read over, its georeferencing corrected by co-registration (shiftGeoreference) */
  shift?: [number, number];
}

/** Validity besides nodata (docs/detection.md, "Validity"): operator cloud masks, saturation, reflectance. */
export interface PairValidity {
  cloudMask?: { before?: NamedSource; after?: NamedSource; values?: number[] };
  saturation?: number;
  reflectance?: ReflectanceScale;
}

/**
 * Everything a thread needs to take part in detecting one pair (structured-clonable: it is the worker
 * threads' workerData). The pair was checked (same bands, the after file on the before file's lattice:
 * placeAfter) before this is made.
 */
export interface PairWorkSpec {
  before: NamedSource;
  after: NamedSource;
  /** Band names of the pair as compared (files of one layout: their order). */
  bands: (BandName | null)[];
  /** Files of two band layouts (two sensors): each file's own bands, and the planes of it compared, in
   *  `bands` order. Absent: both files hold `bands`. */
  files?: { before: FileBands; after: FileBands };
  /** Each file's alpha band (0-based: after its image bands), when it has one: 0 there is ground the file
   *  does not cover. The after file's as delivered (a resampled copy keeps the band, unmarked). */
  alpha?: { before: number | null; after: number | null };
  validity: PairValidity;
  tileSize: number;
  evidence: number[];
  /** The mask layers, in the lattice's CRS, their rings in shared memory (maskLayerInCrs): a worker
   *  receives them without copying, parsing or reprojecting them again. */
  layers: Array<{ layer: MaskLayer; bit: number }>;
  minAreaM2: number;
  opening: boolean;
}

/** A detect task: tile rows [from, to) with the pair's statistics and threshold. Answer: ClassifiedRows. */
export interface DetectTask {
  kind: 'detect';
  from: number;
  to: number;
  stats: PairStats;
}

/** Decodes the chunks of the halos of tile rows [row, row + rows) into this thread's caches while the
 *  statistics are computed elsewhere (the detect task of the range starting there then finds them).
 *  Answer: null. */
export interface PrefetchTask {
  kind: 'prefetch';
  row: number;
  /** Default 1. */
  rows?: number;
  /** End of the thread's range of tile rows (exclusive): its caches read nothing below its last halos. */
  to: number;
}

/**
 * Decodes sampled blocks of the pair statistics (`windows`, each in tile rows [from, to)) as the statistics
 * read them (sides()), keeps them for the thread's detect pass (adopt) and answers with copies of their
 * samples, [before, after] per window in order: the statistics in the calling thread then decode only the
 * blocks in its own rows, and no block is decoded twice.
 */
export interface BlocksTask {
  kind: 'blocks';
  windows: LatticeWindow[];
  from: number;
  to: number;
}

/** Closes the thread's files (before the worker is terminated). */
export interface CloseTask {
  kind: 'close';
}

/** A worker's first task: opens its pair. Answer: null (a failure is reported again by later tasks). */
export interface OpenTask {
  kind: 'open';
  spec: PairWorkSpec;
}

export type PairTask = DetectTask | PrefetchTask | BlocksTask | CloseTask;

/** Opens an operator cloud mask and checks it: one band, on the grid of `of`. */
export async function openCloudMask(mask: NamedSource, of: GeoTiffRaster, ofName: string): Promise<GeoTiffRaster> {
  const raster = shiftGeoreference(await openGeoTiff(mask.source, mask.name), mask.shift);
  const m = raster.info;
  const o = of.info;
  let problem: string | null = null;
  if (m.bands !== 1) problem = `has ${m.bands} bands, expected 1`;
  else if (!sameGrid(m, o)) {
    problem = `is not on the grid of ${ofName} (size, CRS and geotransform must match)`;
  }
  if (problem) {
    await raster.close();
    throw new InvalidInputError('cloud_mask_invalid', `${mask.name}: cloud mask ${problem}`, { file: mask.name, field: 'cloudMask' });
  }
  return raster;
}

/** The validity rules of one file of the pair (docs/detection.md, step 1). */
function validityRules(raster: GeoTiffRaster, bands: (BandName | null)[], validity: PairValidity, alphaBand: number | null): SceneValidity {
  const info = raster.info;
  return sceneValidity(bands, {
    sampleFormat: info.sampleFormat,
    bitsPerSample: info.bitsPerSample,
    saturation: validity.saturation,
    fill: typeFill({ ...info, imageBands: bands.length }),
    reflectance: validity.reflectance,
    maskedValues: validity.cloudMask?.values ?? null,
    alphaBand,
  });
}

/**
 * Where the after file sits on the before file's lattice (`before`, the before file's placement):
 * `before` itself for a co-registered pair; its own placement when its pixels are the lattice's pixels
 * but its extent differs (a Landsat scene of the same path/row, a crop of the same orthophoto), read as it
 * is with the pixels beyond it unusable; null when it must be resampled (another CRS, pixel size or phase).
 */
export function placeAfter(before: Placement, after: Pick<RasterInfo, 'epsg' | 'geoTransform' | 'width' | 'height'>): Placement | null {
  const own = placeOnLattice(before.lattice, after.epsg, after.geoTransform, after.width, after.height);
  if (own === null) return null;
  const same = own.col0 === before.col0 && own.row0 === before.row0 && own.width === before.width && own.height === before.height;
  return same ? before : own;
}

/**
 * Reads lattice window `w` of a file placed at `placement` through `read` (which gets windows inside the
 * file, in its pixels) when the window lies inside the file; else the part inside, the rest unusable
 * (NaN), float32 like maskedSide's windows.
 */
async function readPadded(w: LatticeWindow, placement: Placement, bands: number, read: (x: number, y: number, width: number, height: number) => Promise<Float32Array>): Promise<Float32Array> {
  if (wholeIn(w, placement)) return read(w.col - placement.col0, w.row - placement.row0, w.width, w.height);
  const inside = intersect(w, extentOf(placement));
  const out = new Float32Array(w.width * w.height * bands).fill(Number.NaN);
  if (inside === null) return out;
  const part = await read(inside.col - placement.col0, inside.row - placement.row0, inside.width, inside.height);
  const [dx, dy] = [inside.col - w.col, inside.row - w.row];
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < inside.height; y++) {
      const from = (b * inside.height + y) * inside.width;
      out.set(part.subarray(from, from + inside.width), (b * w.height + dy + y) * w.width + dx);
    }
  }
  return out;
}

/** Whether lattice window `w` lies wholly inside the file placed at `placement`. */
function wholeIn(w: LatticeWindow, placement: Placement): boolean {
  return w.col >= placement.col0 && w.row >= placement.row0 && w.col + w.width <= placement.col0 + placement.width && w.row + w.height <= placement.row0 + placement.height;
}

/**
 * One file of the pair read by lattice windows (the file placed at `placement`), unusable pixels NaN;
 * pixels of a window beyond the file are unusable too. `bands` names the file's own bands (its validity
 * tests read them all); with `planes`, windows hold only those planes, in that order (files of two sensors).
 */
export function maskedSide(raster: GeoTiffRaster, placement: Placement, bands: (BandName | null)[], validity: PairValidity, mask: GeoTiffRaster | null, planes: number[] | null = null, alphaBand: number | null = null): PairSide {
  const info = raster.info;
  const rules = validityRules(raster, bands, validity, alphaBand);
  const readWindow = (w: LatticeWindow, reuse?: Float32Array) =>
    readPadded(w, placement, info.bands, async (x, y, width, height) => {
      const whole = width === w.width && height === w.height;
      const [planar, plane, covered] = await Promise.all([
        raster.readWindow(x, y, width, height, whole && reuse instanceof Float32Array ? reuse : undefined),
        mask ? mask.readWindow(x, y, width, height) : null,
        raster.readMaskWindow(x, y, width, height),
      ]);
      maskUnusablePixels(planar, width, height, info.bands, rules, plane, covered);
      return planar;
    });
  if (planes === null) return { bands: info.bands, nodata: info.nodata, readWindow };
  // A window of every plane is read, then the compared ones picked: a buffer to reuse would be the wrong size.
  return { bands: planes.length, nodata: info.nodata, readWindow: async (w) => pickBands(await readWindow(w), w.width * w.height, planes) };
}

/**
 * Most bytes of chunks an epoch's halo cache holds when it takes chunks the blocks pass of a pooled pair
 * decoded ahead (HaloWindowCache.adoptCopy): the blocks run one to three rows of tiles ahead, about 25 MB
 * an epoch on an 8192-pixel-wide RGB orthophoto; a wider scene hands over what fits and decodes the rest
 * again.
 */
const HANDED_OVER_BYTES = 64 * 1024 * 1024;

/** A TileReader of one file of the pair, and the planes its reads of some bands take (kept by the file's block cache). */
export type ChunkReader = TileReader & { keepPlanes(some: readonly number[]): void };

/**
 * Chunks of one file of the pair for the halo caches: in the file's own 8- or 16-bit samples when nothing
 * in the chunk is unusable — no cloud test, no mask band or file, no pixel at the saturation or fill value
 * in its first band (a pixel at it in every band is at it there), and the chunk wholly inside the
 * file — else as maskedSide reads them (float32, unusable pixels NaN). Why: most chunks have nothing to
 * mask, and 16-bit chunks are half the memory and bytes to move, with the same values (HaloWindowCache
 * serves them as they are). With `planes`, as maskedSide.
 *
 * A read of some of the side's bands (the reader's `planes`) reads only those planes of the file, and its
 * first band when that tells whether the chunk holds a saturated or fill pixel; where it does, the whole
 * chunk is read and decided on every band, then the planes picked (as OpenScene.readUsableWindow). The
 * reader's keepPlanes tells the file's block cache which planes such reads take (only where they read
 * planes: else every read would decode the blocks again).
 */
export function maskedChunkReader(
  raster: GeoTiffRaster,
  placement: Placement,
  side: PairSide,
  validity: PairValidity,
  mask: GeoTiffRaster | null,
  bands: (BandName | null)[],
  planes: number[] | null = null,
  alphaBand: number | null = null,
): ChunkReader {
  const info = raster.info;
  const rules = validityRules(raster, bands, validity, alphaBand);
  const plain = usableAsRead(rules, mask !== null || info.internalMask, info.sampleFormat, info.bitsPerSample);
  const firstBandTells = rules.saturation !== null || rules.fill !== null;
  const sidePlanes = planes ?? Array.from({ length: info.bands }, (_, b) => b);
  /** The file planes a read of `some` of the side's bands decodes (ascending), and where each of `some` lies among them. */
  const planesFor = (some: readonly number[]) => {
    const { read, order } = filePlanes(sidePlanes, some);
    const decoded = planesWithFirstBand(read, firstBandTells);
    return { read: decoded, order: decoded === read ? order : order.map((k) => k + 1) };
  };
  const inOrder = (order: readonly number[], count: number) => order.length === count && order.every((k, i) => k === i);
  // one read's planes before they are picked; taken while a read uses it (reads may overlap on remote files)
  let scratch: NativeSamples | undefined;
  const takeScratch = () => {
    const taken = scratch;
    scratch = undefined;
    return taken;
  };
  const read: TileReader = async (w, reuse, lastUse, some) => {
    const pixels = w.width * w.height;
    if (!plain || !wholeIn(w, placement)) {
      const whole = await side.readWindow(w, some === undefined && reuse instanceof Float32Array ? reuse : undefined);
      return some === undefined ? whole : pickBands(whole, pixels, some);
    }
    const [x, y] = [w.col - placement.col0, w.row - placement.row0];
    if (some === undefined) {
      const native = await raster.readWindowNative(x, y, w.width, w.height, reuse instanceof Float32Array || planes ? undefined : reuse, lastUse);
      const usable = usableSamples(native, w.width, w.height, info.bands, rules);
      return planes ? pickBands(usable, pixels, planes) : usable;
    }
    const { read: decoded, order } = planesFor(some);
    // planes read as they are served go straight into `reuse`; others (the first band read only to be
    // tested, or a view's own order) land in a scratch array first, and the planes are copied out
    const direct = inOrder(order, decoded.length);
    const into = direct ? (reuse instanceof Float32Array ? undefined : reuse) : takeScratch();
    const native = await raster.readWindowNative(x, y, w.width, w.height, into, lastUse, decoded);
    if (usableAsWindow(native, pixels, rules)) {
      if (direct) return native;
      const type = native.constructor as new (n: number) => TileSamples;
      const out = reuse !== undefined && reuse.length === some.length * pixels && reuse.constructor === type ? reuse : new type(some.length * pixels);
      order.forEach((k, i) => out.set(native.subarray(k * pixels, (k + 1) * pixels) as never, i * pixels));
      scratch = native;
      return out;
    }
    if (!direct) scratch = native;
    // a saturated or fill pixel in the chunk: decided on every band, as a read of every band is
    const whole = await raster.readWindowNative(x, y, w.width, w.height, undefined, lastUse);
    return pickBands(usableSamples(whole, w.width, w.height, info.bands, rules), pixels, some.map((j) => sidePlanes[j]!));
  };
  return Object.assign(read, {
    keepPlanes: (some: readonly number[]) => {
      if (plain) raster.keepPlanes(planesFor(some).read);
    },
  });
}

/** The pair's rasters as one thread holds them: both files and their cloud masks (null when none). */
export interface PairRasters {
  before: GeoTiffRaster;
  after: GeoTiffRaster;
  beforeMask: GeoTiffRaster | null;
  afterMask: GeoTiffRaster | null;
}

/** Opens both files and their cloud masks; on failure closes what it opened. */
export async function openPairRasters(spec: Pick<PairWorkSpec, 'before' | 'after' | 'validity'>): Promise<PairRasters> {
  const opened: GeoTiffRaster[] = [];
  try {
    const before = declareNodata(await openGeoTiff(spec.before.source, spec.before.name), spec.before.nodata);
    opened.push(before);
    const after = shiftGeoreference(declareNodata(await openGeoTiff(spec.after.source, spec.after.name), spec.after.nodata), spec.after.shift);
    opened.push(after);
    const masks = spec.validity.cloudMask;
    const beforeMask = masks?.before ? await openCloudMask(masks.before, before, spec.before.name) : null;
    if (beforeMask) opened.push(beforeMask);
    const afterMask = masks?.after ? await openCloudMask(masks.after, after, spec.after.name) : null;
    return { before, after, beforeMask, afterMask };
  } catch (error) {
    await Promise.all(opened.map((r) => r.close()));
    throw error;
  }
}

/**
 * One thread's share of detecting a pair: tile rows read, scored, classified and described in one pass.
 * The same code runs in the calling thread and in worker threads; which rows a thread gets is the
 * caller's fixed choice.
 */
export class PairWork {
  readonly placement: Placement;
  readonly rows: TileRows;
  readonly layers: Array<{ layer: MaskLayer; bit: number }>;
  /** Whether (and at which scales) the pair is scored by structure: it sets the tiles' halos. */
  readonly structure: StructureSpec | null;
  /** Scored by structure on blocks computed once per tile (PooledStructure): the tiles' halos are the clean-up's only. */
  readonly pooled: boolean;

  /** A tile's window as this pair's pass reads it. */
  private haloOf(tile: LatticeWindow): LatticeWindow {
    return haloOf(tile, extentOf(this.placement), this.structure, this.pooled);
  }

  private readonly before: PairSide;
  private readonly after: PairSide;
  private readonly beforeChunks: ChunkReader;
  private readonly afterChunks: ChunkReader;

  constructor(
    private readonly rasters: PairRasters,
    private readonly spec: PairWorkSpec,
  ) {
    const info = rasters.before.info;
    this.placement = placeRaster(info.epsg, info.geoTransform, info.width, info.height, spec.tileSize);
    this.rows = groupRows(tilesOf(this.placement).map((c) => c.window));
    this.structure = structureOf(this.placement.lattice, extentOf(this.placement), spec.bands, spec.evidence);
    this.pooled = PooledStructure.fits(this.structure, spec.tileSize);
    this.layers = spec.layers;
    // A file with an alpha band is read without it (its image planes), once its validity has read it.
    const alphaBefore = spec.alpha?.before ?? null;
    const alphaAfter = spec.alpha?.after ?? null;
    const imagePlanes = (alpha: number | null) => (alpha === null ? null : Array.from({ length: spec.bands.length }, (_, i) => i));
    const [beforeBands, beforePlanes] = spec.files ? [spec.files.before.bands, spec.files.before.planes] : [spec.bands, imagePlanes(alphaBefore)];
    const [afterBands, afterPlanes] = spec.files ? [spec.files.after.bands, spec.files.after.planes] : [spec.bands, imagePlanes(alphaAfter)];
    this.before = maskedSide(rasters.before, this.placement, beforeBands, spec.validity, rasters.beforeMask, beforePlanes, alphaBefore);
    const afterPlacement = placeAfter(this.placement, rasters.after.info);
    if (afterPlacement === null) throw new Error(`${spec.after.name} is not on the lattice of ${spec.before.name}: it must be resampled onto that grid first`);
    this.after = maskedSide(rasters.after, afterPlacement, afterBands, spec.validity, rasters.afterMask, afterPlanes, alphaAfter);
    this.beforeChunks = maskedChunkReader(rasters.before, this.placement, this.before, spec.validity, rasters.beforeMask, beforeBands, beforePlanes, alphaBefore);
    this.afterChunks = maskedChunkReader(rasters.after, afterPlacement, this.after, spec.validity, rasters.afterMask, afterBands, afterPlanes, alphaAfter);
  }

  /** Opens the files (in a worker thread). */
  static async open(spec: PairWorkSpec): Promise<PairWork> {
    return new PairWork(await openPairRasters(spec), spec);
  }

  /** The pair's cloud-shadow test: both windows hold the planes of `bands` (default: the pair's), both epochs the one scale. */
  shadow(bands: readonly (BandName | null)[] = this.spec.bands): PairShadowTest | null {
    return pairShadowTest(bands, bands, this.spec.validity.reflectance, this.spec.validity.reflectance);
  }

  /** The two sides as the statistics read them: by chunks, as detection reads them (see adopt). */
  sides(): { before: PairSide; after: PairSide } {
    return { before: { ...this.before, readWindow: this.beforeChunks }, after: { ...this.after, readWindow: this.afterChunks } };
  }

  /**
   * Hands this thread's halo caches a chunk the statistics decoded (a sampled block, read by sides()),
   * when a halo of tile rows [from, to) needs it: detection then does not decode it again.
   */
  adopt(window: LatticeWindow, before: TileSamples, after: TileSamples, from: number, to: number): void {
    const first = this.rows[from]?.[0];
    const last = this.rows[to - 1]?.[0];
    if (!first || !last) return;
    const top = this.haloOf(first).row;
    const lastHalo = this.haloOf(last);
    if (window.row + window.height <= top || window.row >= lastHalo.row + lastHalo.height) return;
    const { before: b, after: a } = this.caches(to);
    b.adopt(window, before);
    a.adopt(window, after);
  }

  /** One halo cache per epoch over the overlap, returning `picks` of the file's bands. */
  private imagery: { before: HaloWindowCache; after: HaloWindowCache } | null = null;

  /** End (exclusive tile row) of the range the caches were made for. */
  private imageryTo = -1;

  /** This thread's halo caches (every band of each epoch) for its range of tile rows ending at `to`, made
   *  once: a prefetch fills them for the detect task that follows. */
  private caches(to: number): { before: HaloWindowCache; after: HaloWindowCache } {
    if (this.imagery === null) {
      const last = this.rows[to - 1]?.[0];
      const lastHalo = last ? this.haloOf(last) : extentOf(this.placement);
      this.imagery = this.cachePair(lastHalo.row + lastHalo.height);
      this.imageryTo = to;
    } else if (to !== this.imageryTo) {
      throw new Error(`tile rows up to ${to} asked of caches made for rows up to ${this.imageryTo}`);
    }
    return this.imagery;
  }

  /** The caches the blocks of a pooled pair are computed from (PooledStructure): the tiles themselves. */
  private pooling: { before: HaloWindowCache; after: HaloWindowCache } | null = null;

  /** This thread's pooling caches for its range of tile rows ending at `to`, reaching as far down as the blocks its last row reads. */
  private poolingCaches(to: number): { before: HaloWindowCache; after: HaloWindowCache } | null {
    if (!this.pooled) return null;
    if (this.pooling === null) {
      const overlap = extentOf(this.placement);
      const last = this.rows[to - 1]?.[0];
      // The blocks pass reads each chunk a row or two of tiles before the tiles are scored: the halo caches
      // take a copy of it then, so that their own read does not decode it again.
      const handOver = (read: TileReader, side: 'before' | 'after'): TileReader => async (window, reuse, lastUse, planes) => {
        const samples = await read(window, reuse, lastUse, planes);
        this.caches(to)[side].adoptCopy(window, samples, HANDED_OVER_BYTES);
        return samples;
      };
      const rowLimit = last ? PooledStructure.neededRows(this.structure!, overlap, this.haloOf(last)).bottom : overlap.row + overlap.height;
      this.pooling = this.cachePair(rowLimit, handOver(this.beforeChunks, 'before'), handOver(this.afterChunks, 'after'));
    }
    return this.pooling;
  }

  /** A cache per epoch over the overlap (every band of each), reading down to `rowLimit`. */
  private cachePair(rowLimit: number, before: TileReader = this.beforeChunks, after: TileReader = this.afterChunks): { before: HaloWindowCache; after: HaloWindowCache } {
    const overlap = extentOf(this.placement);
    const picks = Array.from({ length: this.before.bands }, (_, b) => b);
    return {
      before: new HaloWindowCache(before, overlap, this.before.bands, picks, rowLimit),
      after: new HaloWindowCache(after, overlap, this.after.bands, picks, rowLimit),
    };
  }

  async prefetch(task: PrefetchTask): Promise<null> {
    const halos = this.rows.slice(task.row, task.row + (task.rows ?? 1)).flatMap((row) => row.map((tile) => this.haloOf(tile)));
    const { before, after } = this.caches(task.to);
    await before.preload(halos);
    await after.preload(halos);
    return null;
  }

  async blocks(task: BlocksTask): Promise<Array<[TileSamples, TileSamples]>> {
    const { before, after } = this.sides();
    const out: Array<[TileSamples, TileSamples]> = [];
    for (const window of task.windows) {
      const [b, a] = await Promise.all([before.readWindow(window), after.readWindow(window)]);
      this.adopt(window, b, a, task.from, task.to);
      out.push([b, a]);
    }
    return out; // copied when posted, before the pass can reuse any of these arrays
  }

  detect(task: DetectTask): Promise<ClassifiedRows> {
    const imagery = this.caches(task.to);
    // The caches keep only the planes the pass reads (a pixel-replicated or atmospheric band is read by
    // nothing once the statistics have chosen the evidence), and everything below is told of those planes
    // only, as if the files held no others.
    let bands = this.spec.bands;
    let stats = task.stats;
    if (this.structure === null) {
      const planes = passPlanes(bands, scoreModel(stats, this.before.nodata, this.after.nodata, bands.length, this.shadow(bands)));
      if (planes.length < this.before.bands) {
        imagery.before.keepPlanes(planes);
        imagery.after.keepPlanes(planes);
        this.beforeChunks.keepPlanes(planes);
        this.afterChunks.keepPlanes(planes);
        bands = planes.map((b) => bands[b]!);
        stats = statsOnPlanes(stats, planes);
      }
    }
    const model = scoreModel(stats, this.before.nodata, this.after.nodata, bands.length, this.shadow(bands));
    return detectTileRows(
      {
        imagery,
        model,
        vegetation: vegetationTestOf(bands),
        plan: indexPlan(bands, model),
        rows: this.rows,
        overlap: extentOf(this.placement),
        threshold: task.stats.threshold,
        opening: this.spec.opening,
        lattice: this.placement.lattice,
        layers: this.layers,
        minAreaM2: this.spec.minAreaM2,
        raster: this.placement,
        compress: 'deflate',
        pooling: this.poolingCaches(task.to),
      },
      task.from,
      task.to,
    );
  }

  /** A task sent to a worker thread (which opened the rasters, so 'close' closes them too). */
  async run(task: PairTask): Promise<ClassifiedRows | Array<[TileSamples, TileSamples]> | null> {
    if (task.kind === 'detect') return this.detect(task);
    if (task.kind === 'prefetch') return this.prefetch(task);
    if (task.kind === 'blocks') return this.blocks(task);
    await this.close(true);
    return null;
  }

  /** Closes what this thread opened (the rasters, when it opened them) and gives the caches' windows back to the arena. */
  async close(closeRasters: boolean): Promise<void> {
    for (const caches of [this.imagery, this.pooling]) {
      caches?.before.releaseWindows();
      caches?.after.releaseWindows();
    }
    this.imagery = null;
    this.pooling = null;
    if (closeRasters) {
      const { before, after, beforeMask, afterMask } = this.rasters;
      await Promise.all([before.close(), after.close(), beforeMask?.close(), afterMask?.close()]);
    }
  }
}
