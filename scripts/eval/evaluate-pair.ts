/**
 * Evaluates one pair folder: runs detectPair exactly as `shoutu detect` does (the evaluation contract),
 * decodes the change.tif bytes it returns and scores them against truth.tif.
 */
import { join } from 'node:path';
import type { BandName } from '../../shared/src/schemas/manifest.js';
import type { PipelineParameters } from '../../shared/src/detection/parameters.js';
import { CHANGE_NODATA, detectPair } from '../../shared/src/pipeline/detect-pair.js';
import { openGeoTiff, sameGeoTransform, type GeoTiffRaster } from '../../shared/src/raster/index.js';
import { ShoutuError } from '../../shared/src/errors.js';
import { afterBandsFor, bandsFor, describeBandSource, missingFilesMessage, type BandSource, type PairDir } from './datasets.js';
import { confusionOf, metricsOf, type Confusion, type Metrics } from './metrics.js';
import { extentOf, placeRaster } from '../../shared/src/grid/lattice.js';
import { scorePatches, type PatchScore } from './patch-scoring.js';

/** Truth value of pixels that are not labelled. */
export const TRUTH_IGNORE = 255;

export type PairStage = 'input' | 'detect' | 'score';

export interface PairResultBase {
  dir: string;
  group: string;
  label: string;
  bandSource: BandSource | null;
  /** the band names the pair was run with (as detectPair reports them; null = unknown) */
  bands: (BandName | null)[] | null;
}

export interface PairOk extends PairResultBase {
  status: 'ok';
  counts: Confusion;
  metrics: Metrics;
  /** pixels where truth is 0 or 1 */
  labelledPixels: number;
  /** labelled pixels that change.tif has as nodata (255), scored as "no change" */
  nodataInLabelled: number;
  width: number;
  height: number;
  epsg: number;
  /** Otsu threshold of the pair (z units) */
  threshold: number;
  /** pixels change.tif marks as change, over the whole image */
  changedPixels: number;
  validPixels: number;
  /** patches detectPair reported (after the opening, minimum area and typing) */
  patches: number;
  /** the reported patches (图斑 candidates) rasterised from their outlines, scored like change.tif */
  patchScore: PatchScore;
  /** wall time of detectPair, ms */
  detectMs: number;
  /** wall time of the whole pair (bands, detect, decode, truth, scoring), ms */
  totalMs: number;
  notes: string[];
}

export interface PairFailed extends PairResultBase {
  status: 'failed';
  stage: PairStage;
  /** error code when shoutu raised a named error (e.g. crs_unknown, band_count_mismatch) */
  code: string | null;
  error: string;
  totalMs: number;
}

export type PairResult = PairOk | PairFailed;

/** One line for an error: its name and code when it is one of shoutu's named errors. */
export function describeError(error: unknown): { code: string | null; message: string } {
  if (error instanceof ShoutuError) return { code: error.code, message: `${error.name} [${error.code}]: ${error.message}` };
  if (error instanceof Error) return { code: null, message: error.name === 'Error' ? error.message : `${error.name}: ${error.message}` };
  return { code: null, message: String(error) };
}

async function readSingleBand(raster: GeoTiffRaster, name: string): Promise<Float32Array> {
  const { width, height, bands } = raster.info;
  if (bands !== 1) throw new Error(`${name}: has ${bands} bands, expected 1`);
  return raster.readWindow(0, 0, width, height);
}

/** Runs and scores one pair; never throws for problems with the pair (they come back as 'failed'). */
export async function evaluatePair(p: PairDir, table: Readonly<Record<string, readonly BandName[]>>, parameters: PipelineParameters): Promise<PairResult> {
  const t0 = performance.now();
  const base: PairResultBase = { dir: p.dir, group: p.group, label: p.label, bandSource: null, bands: null };
  let stage: PairStage = 'input';
  const fail = (error: unknown): PairFailed => {
    const d = describeError(error);
    return { ...base, status: 'failed', stage, code: d.code, error: d.message, totalMs: performance.now() - t0 };
  };
  try {
    const missing = await missingFilesMessage(p);
    if (missing) throw new Error(missing);
    const { bands, source } = await bandsFor(p, table);
    const afterBands = await afterBandsFor(p);
    base.bandSource = source;
    if (bands) base.bands = bands;

    stage = 'detect';
    const before = join(p.dir, 'before.tif');
    const after = join(p.dir, 'after.tif');
    const td = performance.now();
    const warnings: string[] = [];
    const result = await detectPair({ before: { path: before }, after: { path: after }, ...(bands ? { bands } : {}), ...(afterBands ? { afterBands } : {}), parameters, warn: (m) => warnings.push(m) }).catch((error: unknown) => {
      // name where a wrong band count came from: bands.txt or the default table, not a --bands flag
      if (error instanceof ShoutuError && error.code === 'band_count_mismatch') {
        if (afterBands && error.field === 'after-bands') error.message += ` (after-bands.txt: ${afterBands.join(',')})`;
        else if (bands) error.message += ` (band order from ${describeBandSource(source)}: ${bands.join(',')})`;
      }
      throw error;
    });
    const detectMs = performance.now() - td;
    base.bands = result.summary.bands;

    stage = 'score';
    const changeName = `${p.dir}/change.tif (detectPair output)`;
    const changeRaster = await openGeoTiff({ bytes: result.changeTif }, changeName);
    let predicted: Float32Array;
    try {
      predicted = await readSingleBand(changeRaster, changeName);
    } finally {
      await changeRaster.close();
    }
    const truthPath = join(p.dir, 'truth.tif');
    const truthRaster = await openGeoTiff({ path: truthPath }, truthPath);
    const notes: string[] = [...warnings];
    const resampled = result.summary.resampled?.after;
    if (resampled) notes.push(`after.tif on another grid: resampled onto before.tif's (${resampled.bands}), covering ${resampled.coveredPixels} of ${result.summary.width * result.summary.height} pixels`);
    const shifted = result.summary.shifted?.after;
    if (shifted) notes.push(`after.tif on before.tif's lattice at offset (${shifted.offset.join(', ')}), covering ${shifted.coveredPixels} of ${result.summary.width * result.summary.height} pixels`);
    let truth: Float32Array;
    try {
      const ti = truthRaster.info;
      if (ti.width !== result.summary.width || ti.height !== result.summary.height) {
        throw new Error(`${truthPath}: size ${ti.width}×${ti.height} differs from before.tif ${result.summary.width}×${result.summary.height}`);
      }
      const ci = changeRaster.info;
      if (ti.epsg !== ci.epsg || !sameGeoTransform(ti.geoTransform, ci.geoTransform)) {
        notes.push('truth.tif georeferencing differs from before.tif (scored pixel by pixel anyway)');
      }
      truth = await readSingleBand(truthRaster, truthPath);
    } finally {
      await truthRaster.close();
    }
    let c;
    try {
      c = confusionOf(predicted, truth, { predictedNodata: CHANGE_NODATA, ignore: TRUTH_IGNORE });
    } catch (error) {
      throw new Error(`${truthPath}: ${(error as Error).message}`);
    }
    if (c.labelled === 0) throw new Error(`${truthPath}: no labelled pixels (every pixel is ${TRUTH_IGNORE})`);
    const counts: Confusion = { tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn };
    if (counts.tp + counts.fn === 0) notes.push('truth has no change pixels: recall and F1 are 0 by convention');
    if (counts.tp + counts.fp === 0) notes.push('no change predicted on labelled pixels: precision and F1 are 0 by convention');
    // The patches' outlines are on the lattice detectPair placed the pair on; the raster starts at its extent's corner.
    const { epsg, width, height } = result.summary;
    const extent = extentOf(placeRaster(epsg, changeRaster.info.geoTransform, width, height, parameters.tileSize));
    const patchScore = scorePatches(result.patches, extent, truth, width, height, TRUTH_IGNORE);
    return {
      ...base,
      status: 'ok',
      counts,
      metrics: metricsOf(counts),
      labelledPixels: c.labelled,
      nodataInLabelled: c.predictedNodataLabelled,
      width: result.summary.width,
      height: result.summary.height,
      epsg: result.summary.epsg,
      threshold: result.summary.pairStats.threshold,
      changedPixels: result.summary.changedPixels,
      validPixels: result.summary.validPixels,
      patches: result.summary.patches,
      patchScore,
      detectMs,
      totalMs: performance.now() - t0,
      notes,
    };
  } catch (error) {
    return fail(error);
  }
}
