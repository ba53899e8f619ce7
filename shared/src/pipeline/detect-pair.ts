import { InvalidInputError } from '../errors.js';
import { openGeoTiff, assembleUint8GeoTiff, declareNodata, shiftGeoreference, type GeoTiffRaster } from '../raster/index.js';
import type { MaskLayer } from '../masks/index.js';
import { maskLayerInCrs } from '../masks/shared-polygons.js';
import { BandName } from '../schemas/manifest.js';
import { extentOf, intersect, placeRaster } from '../grid/lattice.js';
import type { Patch, TilePatches } from '../detection/extract-patches.js';
import { mergeTilePatches } from '../detection/merge-patches.js';
import { DETECTOR_VERSION, MASK_LAYERS, type MaskLayerName, type PipelineParameters } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';
import { computePairStats } from './compute-pair-stats.js';
import { evidenceBands } from '../detection/evidence-bands.js';
import { comparedBandsOf, type ComparedBands } from './compared-bands.js';
import { round, squareMetresToMu } from '../util/round.js';
import { CHANGE_TYPES, isReported, type ChangeType } from '../detection/change-type.js';
import { cloudBandsOf, typeFill, type ReflectanceScale } from '../detection/validity.js';
import { pairShadowTest } from '../detection/pair-shadows.js';
import { bulkThresholdMessage, thresholdInBulk } from '../detection/threshold-caution.js';
import { COREGISTRATION_ROUNDS, coregistrationOf, nextCorrection, offsetFound, offsetWorthReporting, RegistrationCheck, type Coregistration, type Registration } from '../detection/registration.js';
import { CHANGE_NODATA, type ClassifiedRows } from './detect-pass.js';
import { summarizeCoverage, type CoverageSummary } from '../detection/coverage.js';
import { joinStrips } from './change-strips.js';
import { openCloudMask, PairWork, placeAfter, type NamedSource, type PairTask, type PairValidity, type PairWorkSpec } from './pair-work.js';
import { splitRanges, type TileRows } from './tile-rows.js';
import { sampleBlocks } from './sample-blocks.js';
import { CHUNK_PX, type TileSamples } from './halo-window-cache.js';
import { windowKey, withBlocksFrom } from './blocks-from-workers.js';
import type { WorkerPool } from './worker-pool.js';
import { startPairWorkers } from './pair-workers.js';
import { alignToGrid, makeScratch, noCommonGround, type Scratch } from './align-pair.js';
import type { ResamplingMethod } from './resample-scene.js';

export { threadsFromEnv } from './pair-workers.js';
export { inferBands } from './compared-bands.js';

export { CHANGE_NODATA } from './detect-pass.js';

export interface DetectPairInput {
  before: { path: string } | { bytes: Uint8Array; name: string };
  after: { path: string } | { bytes: Uint8Array; name: string };
  /** Band order as STAC common names; default from band descriptions, else from the band count. */
  bands?: BandName[];
  /**
   * The after file's band order when it is another sensor's than the before file's (`bands`); files of two
   * band counts are that too. Such files are compared on the kinds of band both hold (comparedBandsOf).
   */
  afterBands?: BandName[];
  /** Told of a given band order that the files' own band descriptions contradict (the run goes on). */
  warn?: (message: string) => void;
  /**
   * The farmland and red-line layers, parsed (parseMaskLayer): the caller need not hold their bytes. Several
   * layers of a kind add up.
   */
  masks?: Partial<Record<MaskLayerName, MaskLayer | readonly MaskLayer[]>>;
  /** Validity besides nodata (docs/detection.md, "Validity"): operator cloud masks (single-band, same
   *  grid; non-zero or one of `values` = masked), a declared saturation value, the reflectance scale. */
  validity?: {
    cloudMask?: { before?: DetectPairInput['before']; after?: DetectPairInput['after']; values?: number[] };
    saturation?: number;
    reflectance?: ReflectanceScale;
    /** Each file's nodata value as the operator declares it, over the file's own (declareNodata). */
    nodata?: { before?: number; after?: number };
  };
  parameters: PipelineParameters;
  /** Threads to split the tile work across (default 1); the output does not depend on it. */
  threads?: number;
  /**
   * Co-register the after file to the before file when the registration check finds it offset by half a
   * pixel or more: read it that many whole pixels over (docs/detection.md, step 0). Default true.
   */
  coregister?: boolean;
  /**
   * Worker threads started ahead (startPairWorkers, at least threads − 1 of them), else started here.
   * detectPair closes them, whatever happens.
   */
  workers?: WorkerPool;
  /** Most bytes a worker's prefetch may hold (default PREFETCH_MAX_BYTES); the output does not depend on it. */
  prefetchMaxBytes?: number;
}

export interface DetectPairOutput {
  /** uint8 GeoTIFF on the before grid: 1 change, 0 no change, 255 nodata (per-pixel, before clean-up). */
  changeTif: Uint8Array;
  patches: Patch[];
  summary: {
    detector: string;
    width: number;
    height: number;
    epsg: number;
    /** The bands compared, in the after file's order (files of one layout: their order). */
    bands: (BandName | null)[];
    /** Present when the files are of two sensors, compared on the bands both hold: each file's own bands. */
    fileBands?: { before: BandName[]; after: BandName[] };
    /** Present when the after file was on another grid: how it was resampled onto the before file's. */
    resampled?: { after: AfterResampling };
    /** Present when the after file lies on the before file's pixel lattice with another extent: read as it is, at this offset. */
    shifted?: { after: AfterShift };
    /**
     * Present when a file marks ground it does not cover, left out like nodata (255): how, per file — its
     * alpha band (0-based, as RasterInfo.alphaBand) and / or its internal mask.
     */
    uncovered?: { before?: UncoveredBy; after?: UncoveredBy };
    /** Present when the operator declared a file's nodata value (validity.nodata): the values read as nodata. */
    nodata?: { before?: number; after?: number };
    /**
     * Present when a file's CRS is user-defined GeoKeys, read as the EPSG code they match
     * (raster/geokey-crs.ts): that code and what the keys hold, per file.
     */
    userDefinedCrs?: { before?: UserDefinedCrs; after?: UserDefinedCrs };
    pairStats: PairStats;
    /**
     * The registration check (docs/detection.md, step 0): the after file's offset from the before file, when
     * the sampled blocks resolve one, as the pair was compared; with `corrected`, after the after file was
     * read that many whole pixels over.
     */
    registration: Registration & { corrected?: Coregistration };
    parameters: PipelineParameters;
    validPixels: number;
    /**
     * Ground of the before grid, and the part detection could examine (usable in both epochs), in 亩, for
     * the whole grid and each mask layer given (detection/coverage.ts): no 图斑 outside it means nothing was
     * looked at there, not that nothing changed.
     */
    coverage: CoverageSummary;
    changedPixels: number;
    patches: number;
    /** Patches (≥ minimum area) by change type; `seasonal` ones are counted here but not reported. */
    changeTypes: Record<ChangeType, number>;
    areaM2: number;
    areaMu: number;
    overlapMu: Record<MaskLayerName, number>;
  };
}

/** How a file marks ground it does not cover. */
export interface UncoveredBy {
  alphaBand?: number;
  internalMask?: true;
  /** the file declares no nodata and holds integers (typeFill): a pixel at this value (0) in every
   *  band is fill (validity.ts typeFill) */
  fill?: number;
}

export interface UserDefinedCrs {
  epsg: number;
  parameters: string;
}

/** A file's user-defined CRS as read, or undefined for an EPSG-coded one. */
function userDefinedCrsOf(info: GeoTiffRaster['info']): UserDefinedCrs | undefined {
  return info.crsParameters === undefined ? undefined : { epsg: info.epsg, parameters: info.crsParameters };
}

/** The file's marks of uncovered ground, or undefined when it has none. */
function uncoveredBy(info: GeoTiffRaster['info']): UncoveredBy | undefined {
  const fill = typeFill({ ...info, imageBands: info.bands - (info.alphaBand !== null ? 1 : 0) });
  if (info.alphaBand === null && !info.internalMask && fill === null) return undefined;
  return {
    ...(info.alphaBand !== null ? { alphaBand: info.alphaBand } : {}),
    ...(info.internalMask ? { internalMask: true as const } : {}),
    ...(fill !== null ? { fill } : {}),
  };
}

/** How the after file was put on the before file's grid, and how many of its pixels it covers. */
export type AfterResampling = ResamplingMethod & { grid: 'before'; coveredPixels: number };

/**
 * An after file on the before file's pixel lattice with another extent: its pixel (0, 0) is the before
 * grid's pixel `offset` (column, row), and it covers `coveredPixels` pixels of that grid.
 */
export interface AfterShift {
  grid: 'before';
  offset: [number, number];
  coveredPixels: number;
}

const nameOf = (s: DetectPairInput['before']) => ('path' in s ? s.path : s.name);

function named(s: DetectPairInput['before']): NamedSource {
  return { source: 'path' in s ? { path: s.path } : { bytes: s.bytes }, name: nameOf(s) };
}

/** Tile rows a worker thread decodes while the statistics are computed. One: every prefetched chunk is a
 *  fresh allocation (its pages faulted in, later collected) where the pass otherwise reuses dropped chunks,
 *  and with more rows that cost outweighed the waiting it saved (8192² pair, two threads, in turn: 1 row
 *  5.76 s, 2 rows 5.94 s, 3 rows 6.24 s, none 6.08 s; docs/detection.md, "Memory"). */
const PREFETCH_ROWS = 1;

/**
 * Most bytes a worker's prefetch may hold: every band of both files, in their own samples, over the two rows
 * of chunks a row of tiles' halos reach. Beyond it (a many-band stack, or a very wide scene) the worker waits
 * for the statistics instead. Why: the prefetch holds every band while the statistics run, where the pass
 * keeps only the planes it reads (HaloWindowCache.keepPlanes). On an 8192² pair of 13 bands (436 MB by this
 * count) two threads peaked at 975–1,011 MB with the prefetch and 591–617 MB without, in the same time; the
 * 4-band benchmark pair (128 MB) keeps it, and the time it saves (docs/detection.md, "The planes the pass
 * reads").
 */
const PREFETCH_MAX_BYTES = 256 * 1024 * 1024;

/** The bytes PREFETCH_MAX_BYTES bounds, for a pair whose overlap is `width` pixels wide. */
function prefetchBytes(width: number, before: { bands: number; bitsPerSample: number }, after: { bands: number; bitsPerSample: number }): number {
  const bytesPerPixel = (before.bands * before.bitsPerSample + after.bands * after.bitsPerSample) / 8;
  return 2 * Math.ceil(width / CHUNK_PX) * CHUNK_PX * CHUNK_PX * bytesPerPixel;
}

/** Lattice row below tile rows [.., to). */
function rowsEnd(rows: TileRows, to: number): number {
  const last = rows[to - 1]![0]!;
  return last.row + last.height;
}

/** A thread gets at least this many tile rows: fewer would spend more on starting it than it saves. */
const MIN_TILE_ROWS_PER_THREAD = 2;

/**
 * The evaluation contract: change detection on two co-registered GeoTIFFs, with the same kernels and pair
 * statistics as the pipeline, tile by tile, on the before file's grid. An after file on the same pixel
 * lattice with another extent is read at its offset, as the pipeline reads scenes stored as delivered;
 * one on another grid (CRS, pixel size or phase) is resampled onto it first, as ingest does (align-pair.ts).
 *
 * Streaming: the statistics and the threshold come from a sample of blocks (computePairStats); then one
 * pass decodes each file once, scores, classifies, cleans and labels every tile on its halo window and
 * encodes change.tif strip by strip. Memory is bounded by a row of tiles, never the scene.
 * `threads` (default 1) splits the pass into contiguous ranges of tile rows, one per thread (the
 * calling thread takes the first); results are combined in row order, so the output bytes do not depend
 * on the thread count.
 */
export async function detectPair(input: DetectPairInput): Promise<DetectPairOutput> {
  const threads = input.threads ?? (input.workers ? input.workers.size + 1 : 1);
  let applied: [number, number] = [0, 0];
  let first: Registration | null = null;
  let abandoned: 'unconfirmed' | 'out_of_reach' | null = null;
  for (let round = 0; ; round++) {
    let next: [number, number] = [0, 0];
    const decide = (check: Registration): boolean => {
      first ??= check;
      if (input.coregister === false || abandoned !== null) return true;
      const step = nextCorrection(applied, check, round);
      if ('accept' in step) return true;
      if ('abandon' in step) abandoned = step.abandon;
      else next = step.tryShift;
      return false;
    };
    // A later round starts its own workers: detectPairAt closes those it is given.
    const output = await detectPairAt(round === 0 ? input : { ...input, threads, workers: undefined }, applied, decide);
    if (output === null) {
      applied = next;
      continue;
    }
    const registration = output.summary.registration;
    const corrected = applied[0] !== 0 || applied[1] !== 0;
    if (corrected) registration.corrected = coregistrationOf(applied, first!);
    warnOfOffset(input, corrected ? registration : first!, abandoned);
    return output;
  }
}

/**
 * Tells the operator (input.warn) when a stated reflectance scale cannot run the spectral cloud test on a
 * file (it needs blue, green, red, nir and swir16: four-band VNIR imagery lacks the last), or the shadow test
 * on the pair: the scale was stated to mask clouds, and without the tests clouds read as change.
 */
function warnOfSkyTests(input: DetectPairInput, compared: ComparedBands): void {
  const fileBands = { before: compared.files?.before.bands ?? compared.bands, after: compared.files?.after.bands ?? compared.bands };
  const masks = { before: input.validity?.cloudMask?.before, after: input.validity?.cloudMask?.after };
  const without = (['before', 'after'] as const).filter((epoch) => cloudBandsOf(fileBands[epoch]) === null);
  for (const epoch of without) {
    const has = fileBands[epoch].filter((b): b is BandName => b !== null);
    input.warn?.(
      `${nameOf(input[epoch])}: a reflectance scale is stated, but the spectral cloud and shadow tests need blue, green, red, nir and swir16 ` +
        `(it has ${has.length > 0 ? has.join(',') : 'no named band'}): they do not run, and clouds read as change` +
        (masks[epoch] ? '' : ` unless a cloud mask is given (--${epoch}-cloud-mask)`),
    );
  }
  const shadowsTested = pairShadowTest(compared.bands, compared.bands, input.validity?.reflectance, input.validity?.reflectance) !== null;
  if (without.length === 0 && !shadowsTested) {
    input.warn?.(`a reflectance scale is stated, but the cloud-shadow test needs blue, green, red, nir and swir16 among the bands both files are compared on (${compared.bands.map((b) => b ?? '?').join(',')}): it does not run`);
  }
}

/** Tells the operator (input.warn) of an offset the check found: corrected, left as it is, or not correctable. */
function warnOfOffset(input: DetectPairInput, registration: DetectPairOutput['summary']['registration'], abandoned: 'unconfirmed' | 'out_of_reach' | null): void {
  const found = registration.corrected ? { shift: registration.corrected.measured, beyond: registration.corrected.beyond } : offsetFound(registration);
  if (found === null || (!registration.corrected && !offsetWorthReporting(registration))) return;
  const [dx, dy] = found.shift;
  const offset = `${nameOf(input.after)} looks offset from ${nameOf(input.before)} by ${found.beyond ? 'at least ' : ''}${dx} column(s) and ${dy} row(s)`;
  if (registration.corrected) {
    const [cx, cy] = registration.corrected.shift;
    const left = registration.shift ? `${registration.shift[0]}, ${registration.shift[1]}` : 'not resolved';
    input.warn?.(`${offset}: co-registered by reading it ${cx} column(s) and ${cy} row(s) over (offset left: ${left}); --no-coregister compares the files as delivered`);
    return;
  }
  const regions =
    'coarse' in found && found.coarse
      ? 'by the sampled blocks at a quarter of their resolution'
      : `median of ${registration.beyond ? registration.atEdge : registration.resolved} of ${registration.regions} regions of the sampled blocks`;
  const why =
    abandoned === 'unconfirmed'
      ? 'a correction by whole pixels did not align them'
      : abandoned === 'out_of_reach'
        ? `not aligned by co-registration within its ${COREGISTRATION_ROUNDS} rounds`
        : input.coregister === false
          ? 'not corrected (--no-coregister)'
          : 'not corrected';
  input.warn?.(`${offset} (${regions}); ${why}: co-register the files; an offset reads as change along every edge`);
}

/**
 * detectPair with the after file read `shift` whole pixels over (shiftGeoreference). `decide` gets the
 * registration check once the statistics are computed: false stops there (null is returned), true runs the
 * detection.
 */
async function detectPairAt(input: DetectPairInput, shift: [number, number], decide: (check: Registration) => boolean): Promise<DetectPairOutput | null> {
  const open = (s: DetectPairInput['before']) => openGeoTiff('path' in s ? { path: s.path } : { bytes: s.bytes }, nameOf(s));
  // Opened one after the other so a bad second file cannot leave the first one open.
  let br: GeoTiffRaster;
  let ar: GeoTiffRaster;
  const declared = input.validity?.nodata;
  try {
    br = declareNodata(await open(input.before), declared?.before);
    try {
      ar = declareNodata(await open(input.after), declared?.after);
    } catch (error) {
      await br.close();
      throw error;
    }
  } catch (error) {
    await input.workers?.close();
    throw error;
  }
  let pool: WorkerPool | null = input.workers ?? null;
  let opened: PairWork | null = null;
  const maskRasters: GeoTiffRaster[] = [];
  let scratch: Scratch | null = null;
  try {
    const bi = br.info;
    const ai = ar.info;
    const threads = input.threads ?? (input.workers ? input.workers.size + 1 : 1);
    if (!Number.isInteger(threads) || threads < 1) throw new InvalidInputError('argument_invalid', `threads must be a positive integer, got ${threads}`, { field: 'threads' });
    const compared = comparedBandsOf({ raster: br, name: nameOf(input.before) }, { raster: ar, name: nameOf(input.after) }, input, input.warn);
    if (input.validity?.reflectance) warnOfSkyTests(input, compared);
    // Alpha bands as delivered (the after file's stays its last band if it is resampled, unmarked).
    const alpha = { before: bi.alphaBand, after: ai.alphaBand };
    const uncoveredBefore = uncoveredBy(bi);
    const uncoveredAfter = uncoveredBy(ai);
    const uncovered = uncoveredBefore || uncoveredAfter ? { ...(uncoveredBefore ? { before: uncoveredBefore } : {}), ...(uncoveredAfter ? { after: uncoveredAfter } : {}) } : undefined;
    const [crsBefore, crsAfter] = [userDefinedCrsOf(bi), userDefinedCrsOf(ai)];
    const userDefinedCrs = crsBefore || crsAfter ? { ...(crsBefore ? { before: crsBefore } : {}), ...(crsAfter ? { after: crsAfter } : {}) } : undefined;
    const { bands } = compared;
    const parsedLayers: Array<{ layer: MaskLayer; bit: number }> = [];
    for (const name of MASK_LAYERS) {
      const given = input.masks?.[name];
      for (const layer of given === undefined ? [] : Array.isArray(given) ? given : [given as MaskLayer]) parsedLayers.push({ layer, bit: 1 << MASK_LAYERS.indexOf(name) });
    }

    const { tileSize, opening, minAreaM2 } = input.parameters;
    const cloud = input.validity?.cloudMask;
    let validity: PairValidity = {
      ...(cloud ? { cloudMask: { ...(cloud.before ? { before: named(cloud.before) } : {}), ...(cloud.after ? { after: named(cloud.after) } : {}), ...(cloud.values ? { values: cloud.values } : {}) } } : {}),
      ...(input.validity?.saturation !== undefined ? { saturation: input.validity.saturation } : {}),
      ...(input.validity?.reflectance ? { reflectance: input.validity.reflectance } : {}),
    };
    const beforeMask = validity.cloudMask?.before ? await openCloudMask(validity.cloudMask.before, br, nameOf(input.before)) : null;
    if (beforeMask) maskRasters.push(beforeMask);
    let afterMask = validity.cloudMask?.after ? await openCloudMask(validity.cloudMask.after, ar, nameOf(input.after)) : null;
    if (afterMask) maskRasters.push(afterMask);
    const placement = placeRaster(bi.epsg, bi.geoTransform, bi.width, bi.height, tileSize);
    const lattice = placement.lattice;
    // Reprojected once, here, onto the lattice every thread rasterises them on; shared with the workers.
    const layers = parsedLayers.map(({ layer, bit }) => ({ layer: maskLayerInCrs(layer, lattice.epsg), bit }));
    const overlap = extentOf(placement);
    let afterSource: NamedSource = named(input.after);
    let resampled: AfterResampling | undefined;
    let shifted: AfterShift | undefined;
    if (placeAfter(placement, ar.info) === null) {
      // Another grid: the after file, and its cloud mask file, are resampled onto the before file's grid.
      scratch = await makeScratch();
      const aligned = await alignToGrid(scratch, 'after.tif', { raster: ar, file: nameOf(input.after), saturation: validity.saturation, alphaBand: alpha.after }, nameOf(input.before), placement, { mask: false });
      if (afterMask && validity.cloudMask?.after) {
        const maskName = validity.cloudMask.after.name;
        const alignedMask = await alignToGrid(scratch, 'after-cloud-mask.tif', { raster: afterMask, file: maskName, saturation: undefined }, nameOf(input.before), placement, { mask: true });
        afterMask = await openGeoTiff({ path: alignedMask.path }, maskName);
        maskRasters.push(afterMask);
        validity = { ...validity, cloudMask: { ...validity.cloudMask, after: { source: { path: alignedMask.path }, name: maskName } } };
      }
      const alignedRaster = await openGeoTiff({ path: aligned.path }, nameOf(input.after));
      const original = ar;
      ar = alignedRaster;
      await original.close();
      afterSource = { source: { path: aligned.path }, name: nameOf(input.after) };
      resampled = { ...aligned.method, grid: 'before', coveredPixels: aligned.validPixels };
    }
    if (shift[0] !== 0 || shift[1] !== 0) {
      // Co-registration: the after file (as resampled, if it was) and its cloud mask read `shift` pixels over.
      ar = shiftGeoreference(ar, shift);
      if (afterMask) afterMask = shiftGeoreference(afterMask, shift);
      afterSource = { ...afterSource, shift };
      if (validity.cloudMask?.after) validity = { ...validity, cloudMask: { ...validity.cloudMask, after: { ...validity.cloudMask.after, shift } } };
    }
    const afterPlacement = placeAfter(placement, ar.info)!;
    if (afterPlacement !== placement) {
      // The same lattice, another extent: read as it is, at its offset; beyond it nothing is usable.
      const covered = intersect(overlap, extentOf(afterPlacement));
      if (covered === null) {
        throw noCommonGround(nameOf(input.after), nameOf(input.before));
      }
      shifted = { grid: 'before', offset: [afterPlacement.col0 - placement.col0, afterPlacement.row0 - placement.row0], coveredPixels: covered.width * covered.height };
    }
    const evidence = evidenceBands(bands, bands.length);
    const spec: PairWorkSpec = {
      before: { ...named(input.before), ...(declared?.before !== undefined ? { nodata: declared.before } : {}) },
      // a resampled after file declares its own nodata (the declared one was applied while resampling)
      after: resampled === undefined && declared?.after !== undefined ? { ...afterSource, nodata: declared.after } : afterSource,
      bands,
      ...(compared.files ? { files: compared.files } : {}),
      ...(alpha.before !== null || alpha.after !== null ? { alpha } : {}),
      validity,
      tileSize,
      evidence,
      layers,
      minAreaM2,
      opening,
    };
    const local = new PairWork({ before: br, after: ar, beforeMask, afterMask }, spec);
    opened = local;
    const ranges = splitRanges(local.rows.length, Math.min(threads, Math.floor(local.rows.length / MIN_TILE_ROWS_PER_THREAD)));
    if (ranges.length > 1) {
      if (pool === null || pool.size < ranges.length - 1) {
        await pool?.close();
        pool = startPairWorkers(ranges.length - 1);
      }
      // a failure to open is reported again by the worker's first prefetch or detect task
      for (let k = 0; k < ranges.length - 1; k++) pool.run(k, { kind: 'open', spec }).catch(() => undefined);
    }
    // This thread takes the first range, the workers those below it in order. A range's first halo reaches
    // into the chunks above it, which must be inflated whole; its last halo only into the top rows of the
    // chunks below, which are inflated only that far (HaloWindowCache's rowLimit). So the costly boundary
    // reads fall to the workers, in the prefetch they run while this thread computes the statistics.
    const own = ranges[0]!;
    const theirs = ranges.slice(1);
    const runAll = async <T>(task: (from: number, to: number) => PairTask): Promise<T[]> => {
      // Workers' tasks go out first: this thread's share runs without yielding (classify is synchronous).
      const others = theirs.map(([from, to], k) => pool!.run<T>(k, task(from, to)));
      for (const p of others) p.catch(() => undefined); // failures surface from Promise.all below
      const mine = (await local.run(task(own[0], own[1]))) as T;
      return [mine, ...(await Promise.all(others))];
    };

    // Each worker thread first decodes the statistics' sampled blocks in its rows (it keeps them for its
    // pass; the statistics take copies), then its first row of tiles, while this thread decodes the other
    // sampled blocks and computes the statistics. A worker's failure to read a block, or to prefetch, is
    // met again where this thread or the detect task reads the same block or chunk.
    const fromWorkers = new Map<string, Promise<[TileSamples, TileSamples]>>();
    const sampled = theirs.length > 0 ? sampleBlocks(overlap) : [];
    for (const [k, [from, to]] of theirs.entries()) {
      const windows = sampled.filter((w) => w.row >= local.rows[from]![0]!.row && w.row < rowsEnd(local.rows, to));
      if (windows.length === 0) continue;
      const answer = pool!.run<Array<[TileSamples, TileSamples]>>(k, { kind: 'blocks', windows, from, to });
      for (const [i, w] of windows.entries()) fromWorkers.set(windowKey(w), answer.then((pairs) => pairs[i]!));
    }
    for (const p of fromWorkers.values()) p.catch(() => undefined);
    if (prefetchBytes(overlap.width, bi, ar.info) <= (input.prefetchMaxBytes ?? PREFETCH_MAX_BYTES)) {
      for (const [k, [from, to]] of theirs.entries()) pool!.run(k, { kind: 'prefetch', row: from, rows: Math.min(PREFETCH_ROWS, to - from), to }).catch(() => undefined);
    }
    const sides = local.sides();
    // The sampled blocks the statistics hold stay for this thread's detect pass (not decoded twice).
    const [ownFrom, ownTo] = own;
    const check = new RegistrationCheck(sampleBlocks(overlap).length);
    const pairStats: PairStats = await computePairStats(withBlocksFrom(fromWorkers, sides.before, 0), withBlocksFrom(fromWorkers, sides.after, 1), overlap, evidence, {
      adopt: (w, b, a) => local.adopt(w, b, a, ownFrom, ownTo),
      structure: local.structure,
      registration: check,
      shadow: local.shadow(),
    });
    const registration: DetectPairOutput['summary']['registration'] = check.result();
    if (!decide(registration)) return null;
    const parts = await runAll<ClassifiedRows>((from, to) => ({ kind: 'detect', from, to, stats: pairStats }));

    const tiles: TilePatches[] = parts.flatMap((p) => p.tiles);
    const validPixels = parts.reduce((s, p) => s + p.validPixels, 0);
    const changedPixels = parts.reduce((s, p) => s + p.changedPixels, 0);
    const coverage = summarizeCoverage(
      parts.flatMap((p) => p.coverage),
      MASK_LAYERS.filter((_, i) => parsedLayers.some((l) => l.bit === 1 << i)),
    );
    const strips = joinStrips(bi.width, bi.height, 'deflate', parts.map((p) => p.change));
    // Whole patches of each tile, then the parts that reach tile edges joined across them.
    const typed: Patch[] = tiles.flatMap((t) => t.patches.filter((p) => !p.touchesEdge));
    typed.push(...mergeTilePatches(lattice, tiles, minAreaM2).map((m) => m.patch));
    const changeTypes = Object.fromEntries(CHANGE_TYPES.map((t) => [t, typed.filter((p) => p.changeType === t).length])) as Record<ChangeType, number>;
    // Seasonal vegetation change is not a 图斑 (change.tif keeps its pixels: it is the per-pixel decision).
    const patches = typed.filter((p) => isReported(p.changeType));
    patches.sort((a, b) => a.pixelBbox[1] - b.pixelBbox[1] || a.pixelBbox[0] - b.pixelBbox[0] || a.pixelCount - b.pixelCount);
    if (thresholdInBulk(pairStats)) input.warn?.(bulkThresholdMessage(pairStats, validPixels > 0 ? changedPixels / validPixels : undefined));
    const areaM2 = patches.reduce((s, p) => s + p.areaM2, 0);
    const overlapMu = {} as Record<MaskLayerName, number>;
    for (const name of MASK_LAYERS) overlapMu[name] = round(patches.reduce((s, p) => s + p.overlap[name].areaMu, 0), 4);
    return {
      changeTif: assembleUint8GeoTiff({ width: bi.width, height: bi.height, geoTransform: bi.geoTransform, epsg: bi.epsg, nodata: CHANGE_NODATA, compress: 'deflate' }, strips),
      patches,
      summary: {
        detector: DETECTOR_VERSION,
        width: bi.width,
        height: bi.height,
        epsg: bi.epsg,
        bands,
        ...(compared.files ? { fileBands: { before: compared.files.before.bands, after: compared.files.after.bands } } : {}),
        ...(resampled ? { resampled: { after: resampled } } : {}),
        ...(shifted ? { shifted: { after: shifted } } : {}),
        ...(uncovered ? { uncovered } : {}),
        ...(declared && (declared.before !== undefined || declared.after !== undefined) ? { nodata: { ...declared } } : {}),
        ...(userDefinedCrs ? { userDefinedCrs } : {}),
        pairStats,
        registration,
        parameters: input.parameters,
        validPixels,
        coverage,
        changedPixels,
        patches: patches.length,
        changeTypes,
        areaM2: round(areaM2, 2),
        areaMu: round(squareMetresToMu(areaM2), 4),
        overlapMu,
      },
    };
  } finally {
    await opened?.close(false); // its caches' windows back to the arena (the rasters are closed below)
    if (pool) {
      // the workers close their files before they go (also after a failure)
      const workers = pool;
      await Promise.allSettled(Array.from({ length: workers.size }, (_, k) => workers.run(k, { kind: 'close' })));
      await workers.close();
    }
    await Promise.all([br.close(), ar.close(), ...maskRasters.map((m) => m.close())]);
    await scratch?.remove();
  }
}
