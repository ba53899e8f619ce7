import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { round, squareMetresToMu } from '../util/round.js';
import { MASK_LAYERS, type MaskLayerName } from './parameters.js';
import { pixelAreaM2 } from './pixel-area.js';

/**
 * How much of a tile detection could examine: its pixels, those usable in both epochs (not nodata, fill,
 * saturated, cloud, shadow, operator-masked or beyond either file), and the same within each mask layer.
 * Why: a 图斑 is only ever found where both epochs are usable; ground under a cloud in either epoch was not
 * looked at this time, and "no 图斑" must not read as "nothing happened" there (the next epoch, or a drone
 * flight, has to look). `pixelAreaM2`: the ground area of a pixel at the tile's centre (pixel-area.ts; the
 * scale varies by far less than a part in 10⁶ across a tile).
 */
export interface TileCoverage {
  pixelAreaM2: number;
  pixels: number;
  examined: number;
  /** per mask layer rasterised onto the tile: its pixels and those examined */
  layers: Partial<Record<MaskLayerName, { pixels: number; examined: number }>>;
}

/**
 * A tile's coverage from its usable pixels (`valid`, 1 usable in both epochs) and its class raster (mask
 * layer bits, as rasterizeMaskLayer writes them; `layers` names the layers rasterised), both tile-sized.
 * `usable`: the tile's usable pixels when the caller has counted them already (writeTileChange does).
 */
export function tileCoverage(valid: Uint8Array, classes: Uint8Array, layers: readonly MaskLayerName[], lattice: Lattice, tile: LatticeWindow, usable?: number): TileCoverage {
  const n = tile.width * tile.height;
  if (usable === undefined) {
    usable = 0;
    for (let i = 0; i < n; i++) usable += valid[i]!;
  }
  const perLayer: TileCoverage['layers'] = {};
  if (layers.length > 0) {
    // both layers' bits in one sweep (MASK_LAYERS has two); most pixels are in neither
    const [farmland, redline] = [1 << MASK_LAYERS.indexOf('farmland'), 1 << MASK_LAYERS.indexOf('redline')];
    let fp = 0;
    let fe = 0;
    let rp = 0;
    let re = 0;
    for (let i = 0; i < n; i++) {
      const c = classes[i]!;
      if (c === 0) continue;
      const ok = valid[i]!;
      if ((c & farmland) !== 0) {
        fp++;
        fe += ok;
      }
      if ((c & redline) !== 0) {
        rp++;
        re += ok;
      }
    }
    const counts = { farmland: { pixels: fp, examined: fe }, redline: { pixels: rp, examined: re } };
    for (const name of layers) perLayer[name] = counts[name];
  }
  const centre = pixelAreaM2(lattice, tile.col + Math.floor(tile.width / 2) + 0.5, tile.row + Math.floor(tile.height / 2) + 0.5);
  return { pixelAreaM2: centre, pixels: n, examined: usable, layers: perLayer };
}

/** Ground and examined ground in 亩, for the whole area and each mask layer given. */
export interface CoverageSummary {
  mu: number;
  examinedMu: number;
  /** examined / whole, 4 decimals (1 when there is no ground) */
  examinedShare: number;
  farmland?: { mu: number; examinedMu: number; examinedShare: number };
  redline?: { mu: number; examinedMu: number; examinedShare: number };
}

/**
 * The tiles' coverage summed in the order given (the same order gives the same bytes, whatever thread
 * made each tile).
 */
export function summarizeCoverage(tiles: readonly TileCoverage[], layers: readonly MaskLayerName[]): CoverageSummary {
  const sum = (pick: (t: TileCoverage) => number) => tiles.reduce((s, t) => s + pick(t) * t.pixelAreaM2, 0);
  const part = (whole: number, examined: number) => ({
    mu: round(squareMetresToMu(whole), 4),
    examinedMu: round(squareMetresToMu(examined), 4),
    examinedShare: whole > 0 ? round(examined / whole, 4) : 1,
  });
  const out: CoverageSummary = part(
    sum((t) => t.pixels),
    sum((t) => t.examined),
  );
  for (const name of layers) {
    out[name] = part(
      sum((t) => t.layers[name]?.pixels ?? 0),
      sum((t) => t.layers[name]?.examined ?? 0),
    );
  }
  return out;
}
