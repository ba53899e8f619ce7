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

/** Value of change.tif pixels where either epoch has no data. */
export const CHANGE_NODATA = 255;

export interface DetectPairInput {
  before: { path: string } | { bytes: Uint8Array; name: string };
  after: { path: string } | { bytes: Uint8Array; name: string };
  /** Band order as STAC common names; default from band descriptions, else from the band count. */
  bands?: BandName[];
  masks?: Partial<Record<MaskLayerName, { bytes: Uint8Array; name: string }>>;
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

/** One file of the pair, read by lattice windows (no catalog involved). */
function pairSide(raster: GeoTiffRaster, tileSize: number): PairSide & { placement: Placement } {
  const info = raster.info;
  const placement = placeRaster(info.epsg, info.geoTransform, info.width, info.height, tileSize);
  return {
    bands: info.bands,
    nodata: info.nodata,
    placement,
    readWindow: (w) => raster.readWindow(w.col - placement.col0, w.row - placement.row0, w.width, w.height),
  };
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
    const before = pairSide(br, tileSize);
    const after = pairSide(ar, tileSize);
    const placement = before.placement;
    const lattice = placement.lattice;
    const overlap = extentOf(placement);
    const pairStats = await computePairStats(before, after, overlap, evidenceBands(bands, bi.bands));
    const model = scoreModel(pairStats, bi.nodata, ai.nodata, bi.bands);

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
      tiles.push(extractPatches(maps.cleaned, scored.score, classes, lattice, w, minAreaM2));
    }
    // Whole patches of each tile, then the parts that reach tile edges joined across them.
    const patches: Patch[] = tiles.flatMap((t) => t.patches.filter((p) => !p.touchesEdge));
    patches.push(...mergeTilePatches(lattice, tiles, minAreaM2).map((m) => m.patch));
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
        areaM2: round(areaM2, 2),
        areaMu: round(squareMetresToMu(areaM2), 4),
        overlapMu,
      },
    };
  } finally {
    await Promise.all([br.close(), ar.close()]);
  }
}
