import { InvalidInputError } from '../errors.js';
import { openGeoTiff, encodeUint8GeoTiff, type GeoTiffRaster } from '../raster/index.js';
import { parseMaskLayer, rasterizeMaskLayer, type MaskLayer } from '../masks/index.js';
import { BandName } from '../schemas/manifest.js';
import { extentOf, placeRaster, tilesOf, windowGeoTransform, type Placement } from '../grid/lattice.js';
import { classifyWindow, haloOf, scoreModel } from '../detection/classify-change.js';
import { extractPatches, type Patch, type TilePatches } from '../detection/extract-patches.js';
import { mergeTilePatches } from '../detection/merge-patches.js';
import { DETECTOR_VERSION, MASK_LAYERS, type MaskLayerName, type PipelineParameters } from '../detection/parameters.js';
import type { PairStats } from '../detection/pair-stats.js';
import { computePairStats, type PairSide } from './compute-pair-stats.js';
import { evidenceBands } from '../detection/evidence-bands.js';
import { round, squareMetresToMu } from '../util/round.js';
import { indexPlan } from '../detection/change-evidence.js';
import { CHANGE_TYPES, isReported, type ChangeType } from '../detection/change-type.js';
import { maskUnusablePixels, sceneValidity, type ReflectanceScale } from '../detection/validity.js';

/** Value of change.tif pixels where either epoch has no data. */
export const CHANGE_NODATA = 255;

export interface DetectPairInput {
  before: { path: string } | { bytes: Uint8Array; name: string };
  after: { path: string } | { bytes: Uint8Array; name: string };
  /** Band order as STAC common names; default from band descriptions, else from the band count. */
  bands?: BandName[];
  masks?: Partial<Record<MaskLayerName, { bytes: Uint8Array; name: string }>>;
  /** Validity besides nodata (docs/detection.md, "Validity"): operator cloud masks (single-band, same
   *  grid; non-zero or one of `values` = masked), a declared saturation value, the reflectance scale. */
  validity?: {
    cloudMask?: { before?: DetectPairInput['before']; after?: DetectPairInput['after']; values?: number[] };
    saturation?: number;
    reflectance?: ReflectanceScale;
  };
  parameters: PipelineParameters;
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
    bands: (BandName | null)[];
    pairStats: PairStats;
    parameters: PipelineParameters;
    validPixels: number;
    changedPixels: number;
    patches: number;
    /** Patches (≥ minimum area) by change type; `seasonal` ones are counted here but not reported. */
    changeTypes: Record<ChangeType, number>;
    areaM2: number;
    areaMu: number;
    overlapMu: Record<MaskLayerName, number>;
  };
}

const nameOf = (s: DetectPairInput['before']) => ('path' in s ? s.path : s.name);

/**
 * Band order when the caller gives none: band descriptions that are all STAC common names, else the
 * usual order for 3 bands (red, green, blue: drone RGB) or 4 bands (blue, green, red, nir), else unknown.
 */
export function inferBands(raster: GeoTiffRaster): (BandName | null)[] {
  const fromDescriptions = raster.info.bandDescriptions.map((d) => (d === null ? null : BandName.safeParse(d.trim().toLowerCase()).data ?? null));
  if (fromDescriptions.length > 0 && fromDescriptions.every((b) => b !== null)) return fromDescriptions;
  if (raster.info.bands === 3) return ['red', 'green', 'blue'];
  if (raster.info.bands === 4) return ['blue', 'green', 'red', 'nir'];
  return raster.info.bands > 0 ? new Array<null>(raster.info.bands).fill(null) : [];
}

/** One file of the pair, read by lattice windows (no catalog involved), unusable pixels NaN. */
function pairSide(raster: GeoTiffRaster, tileSize: number, bands: (BandName | null)[], validity: DetectPairInput['validity'], mask: GeoTiffRaster | null): PairSide & { placement: Placement } {
  const info = raster.info;
  const placement = placeRaster(info.epsg, info.geoTransform, info.width, info.height, tileSize);
  const rules = sceneValidity(bands, { sampleFormat: info.sampleFormat, bitsPerSample: info.bitsPerSample, saturation: validity?.saturation, reflectance: validity?.reflectance, maskedValues: validity?.cloudMask?.values ?? null });
  return {
    bands: info.bands,
    nodata: info.nodata,
    placement,
    readWindow: async (w) => {
      const [x, y] = [w.col - placement.col0, w.row - placement.row0];
      const [planar, plane] = await Promise.all([raster.readWindow(x, y, w.width, w.height), mask ? mask.readWindow(x, y, w.width, w.height) : null]);
      maskUnusablePixels(planar, w.width, w.height, info.bands, rules, plane);
      return planar;
    },
  };
}

/** Opens an operator cloud mask and checks it: one band, on the grid of `of`. */
async function openCloudMask(source: DetectPairInput['before'], of: GeoTiffRaster, ofName: string): Promise<GeoTiffRaster> {
  const name = nameOf(source);
  const mask = await openGeoTiff('path' in source ? { path: source.path } : { bytes: source.bytes }, name);
  const m = mask.info;
  const o = of.info;
  let problem: string | null = null;
  if (m.bands !== 1) problem = `has ${m.bands} bands, expected 1`;
  else if (m.width !== o.width || m.height !== o.height || m.epsg !== o.epsg || m.geoTransform.some((v, i) => Math.abs(v - o.geoTransform[i]!) > 1e-6 * Math.max(1, Math.abs(v)))) {
    problem = `is not on the grid of ${ofName} (size, CRS and geotransform must match)`;
  }
  if (problem) {
    await mask.close();
    throw new InvalidInputError('cloud_mask_invalid', `${name}: cloud mask ${problem}`, { file: name, field: 'cloudMask' });
  }
  return mask;
}

/**
 * The evaluation contract: change detection on two co-registered GeoTIFFs of the same grid, with the
 * same kernels and pair statistics as the pipeline, tile by tile.
 */
export async function detectPair(input: DetectPairInput): Promise<DetectPairOutput> {
  const open = (s: DetectPairInput['before']) => openGeoTiff('path' in s ? { path: s.path } : { bytes: s.bytes }, nameOf(s));
  // Opened one after the other so a bad second file cannot leave the first one open.
  const br = await open(input.before);
  let ar: GeoTiffRaster;
  try {
    ar = await open(input.after);
  } catch (error) {
    await br.close();
    throw error;
  }
  const maskRasters: GeoTiffRaster[] = [];
  let maskBefore: GeoTiffRaster | null = null;
  let maskAfter: GeoTiffRaster | null = null;
  try {
    const bi = br.info;
    const ai = ar.info;
    if (bi.width !== ai.width || bi.height !== ai.height) {
      throw new InvalidInputError('grid_mismatch', `${nameOf(input.after)}: size ${ai.width}×${ai.height} differs from ${nameOf(input.before)} ${bi.width}×${bi.height}; the pair must share one grid`, { file: nameOf(input.after), field: 'size' });
    }
    if (bi.epsg !== ai.epsg || bi.geoTransform.some((v, i) => Math.abs(v - ai.geoTransform[i]!) > 1e-6 * Math.max(1, Math.abs(v)))) {
      throw new InvalidInputError('grid_mismatch', `${nameOf(input.after)}: georeferencing differs from ${nameOf(input.before)}; the pair must share one grid`, { file: nameOf(input.after), field: 'geoTransform' });
    }
    if (bi.bands !== ai.bands) {
      throw new InvalidInputError('band_count_mismatch', `${nameOf(input.after)}: ${ai.bands} bands but ${nameOf(input.before)} has ${bi.bands}`, { file: nameOf(input.after), field: 'bands' });
    }
    if (input.bands && input.bands.length !== bi.bands) {
      throw new InvalidInputError('band_count_mismatch', `--bands lists ${input.bands.length} bands but ${nameOf(input.before)} has ${bi.bands}`, { field: 'bands' });
    }
    const bands = input.bands ?? inferBands(br);
    const layers: Array<{ layer: MaskLayer; bit: number; name: MaskLayerName }> = [];
    for (const name of MASK_LAYERS) {
      const m = input.masks?.[name];
      if (m) layers.push({ layer: parseMaskLayer(m.bytes, m.name), bit: 1 << MASK_LAYERS.indexOf(name), name });
    }

    const { tileSize, opening, minAreaM2 } = input.parameters;
    const masks = input.validity?.cloudMask;
    if (masks?.before) maskRasters.push((maskBefore = await openCloudMask(masks.before, br, nameOf(input.before))));
    if (masks?.after) maskRasters.push((maskAfter = await openCloudMask(masks.after, ar, nameOf(input.after))));
    const before = pairSide(br, tileSize, bands, input.validity, maskBefore);
    const after = pairSide(ar, tileSize, bands, input.validity, maskAfter);
    const placement = before.placement;
    const lattice = placement.lattice;
    const overlap = extentOf(placement);
    const pairStats = await computePairStats(before, after, overlap, evidenceBands(bands, bi.bands));
    const model = scoreModel(pairStats, bi.nodata, ai.nodata, bi.bands);
    const plan = indexPlan(bands, model);

    const change = new Uint8Array(bi.width * bi.height);
    const tiles: TilePatches[] = [];
    let validPixels = 0;
    let changedPixels = 0;
    for (const cell of tilesOf(placement)) {
      const w = cell.window;
      const halo = haloOf(w, overlap);
      const [b, a] = await Promise.all([before.readWindow(halo), after.readWindow(halo)]);
      const n = w.width * w.height;
      const scored = classifyWindow(b, a, halo, w, model, pairStats.threshold, opening);
      const maps = scored;
      const x0 = w.col - placement.col0;
      const y0 = w.row - placement.row0;
      for (let y = 0; y < w.height; y++) {
        const row = (y0 + y) * bi.width + x0;
        for (let x = 0; x < w.width; x++) {
          const i = y * w.width + x;
          const v = scored.valid[i] === 1 ? maps.change[i]! : CHANGE_NODATA;
          change[row + x] = v;
          validPixels += scored.valid[i]!;
          changedPixels += v === 1 ? 1 : 0;
        }
      }
      const classes = new Uint8Array(n);
      const grid = { epsg: lattice.epsg, geoTransform: windowGeoTransform(lattice, w), width: w.width, height: w.height };
      for (const l of layers) rasterizeMaskLayer(l.layer, grid, l.bit, classes);
      tiles.push(extractPatches(maps.cleaned, scored.score, classes, lattice, w, minAreaM2, { halo, haloValid: scored.haloValid, before: b, after: a, plan }));
    }
    // Whole patches of each tile, then the parts that reach tile edges joined across them.
    const typed: Patch[] = tiles.flatMap((t) => t.patches.filter((p) => !p.touchesEdge));
    typed.push(...mergeTilePatches(lattice, tiles, minAreaM2).map((m) => m.patch));
    const changeTypes = Object.fromEntries(CHANGE_TYPES.map((t) => [t, typed.filter((p) => p.changeType === t).length])) as Record<ChangeType, number>;
    // Seasonal vegetation change is not a 图斑 (change.tif keeps its pixels: it is the per-pixel decision).
    const patches = typed.filter((p) => isReported(p.changeType));
    patches.sort((a, b) => a.pixelBbox[1] - b.pixelBbox[1] || a.pixelBbox[0] - b.pixelBbox[0] || a.pixelCount - b.pixelCount);
    const areaM2 = patches.reduce((s, p) => s + p.areaM2, 0);
    const overlapMu = {} as Record<MaskLayerName, number>;
    for (const name of MASK_LAYERS) overlapMu[name] = round(patches.reduce((s, p) => s + p.overlap[name].areaMu, 0), 4);
    return {
      changeTif: encodeUint8GeoTiff({ width: bi.width, height: bi.height, data: change, geoTransform: bi.geoTransform, epsg: bi.epsg, nodata: CHANGE_NODATA, compress: 'deflate' }),
      patches,
      summary: {
        detector: DETECTOR_VERSION,
        width: bi.width,
        height: bi.height,
        epsg: bi.epsg,
        bands,
        pairStats,
        parameters: input.parameters,
        validPixels,
        changedPixels,
        patches: patches.length,
        changeTypes,
        areaM2: round(areaM2, 2),
        areaMu: round(squareMetresToMu(areaM2), 4),
        overlapMu,
      },
    };
  } finally {
    await Promise.all([br.close(), ar.close(), ...maskRasters.map((m) => m.close())]);
  }
}
