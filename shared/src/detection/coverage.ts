import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { round, squareMetresToMu } from '../util/round.js';
import { MASK_LAYERS, type MaskLayerName } from './parameters.js';
import { pixelAreaM2 } from './pixel-area.js';
import type { ScoreModel } from './classify-change.js';

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
  /**
   * Of the pixels not examined, those where the before epoch is unusable and those where the after epoch is
   * (a pixel can count in both). Why: the after epoch can be acquired again (the next pass, a drone
   * flight), the before epoch only replaced by another archive scene. (Absent from detect results written
   * before it was recorded: they count as none.)
   */
  unusable?: { before: number; after: number };
  /** per mask layer rasterised onto the tile: its pixels and those examined */
  layers: Partial<Record<MaskLayerName, { pixels: number; examined: number }>>;
}

/**
 * A tile's coverage from its usable pixels (`valid`, 1 usable in both epochs) and its class raster (mask
 * layer bits, as rasterizeMaskLayer writes them; `layers` names the layers rasterised), both tile-sized.
 * `usable`: the tile's usable pixels when the caller has counted them already (writeTileChange does).
 */
export function tileCoverage(
  valid: Uint8Array,
  classes: Uint8Array,
  layers: readonly MaskLayerName[],
  lattice: Lattice,
  tile: LatticeWindow,
  usable: number | undefined,
  unusable: NonNullable<TileCoverage['unusable']>,
): TileCoverage {
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
  return { pixelAreaM2: centre, pixels: n, examined: usable, unusable, layers: perLayer };
}

/** A pair's samples over a window, as the change pass scored them (classify-change.ts scoreWindow). */
export interface ScoredSamples {
  /** every band of the file, planar over `window`: float32 with unusable pixels NaN, or 8/16-bit samples */
  before: ArrayLike<number>;
  after: ArrayLike<number>;
  window: LatticeWindow;
  /** 1 where the pixel was examined (usable in both epochs), over `window` */
  valid: Uint8Array;
  /** the pass's model: the bands it compared (their usability is the pixel's) and each epoch's nodata */
  model: Pick<ScoreModel, 'evidenceBands' | 'nodataBefore' | 'nodataAfter'>;
}

/**
 * The pixels of `tile` (inside the scored window) not examined whose before epoch, and whose after epoch,
 * is unusable: a compared band non-finite or at the epoch's nodata value, as the change pass tests a sample
 * (unusable pixels of every other kind are NaN in the samples by then). `valid` must be the pass's own
 * (usable in both epochs, nothing excluded). Only the pixels not examined are read, and a tile all examined
 * (`examined`: its examined pixels) not at all.
 */
export function unusableByEpoch(scored: ScoredSamples, tile: LatticeWindow, examined: number): NonNullable<TileCoverage['unusable']> {
  if (examined === tile.width * tile.height) return { before: 0, after: 0 };
  const { window, valid } = scored;
  const plane = window.width * window.height;
  const dx = tile.col - window.col;
  const dy = tile.row - window.row;
  const { evidenceBands, nodataBefore: ndBefore, nodataAfter: ndAfter } = scored.model;
  const nodataBefore = comparableNodata(scored.before, ndBefore);
  const nodataAfter = comparableNodata(scored.after, ndAfter);
  let before = 0;
  let after = 0;
  for (let y = 0; y < tile.height; y++) {
    const row = (y + dy) * window.width + dx;
    for (let x = 0; x < tile.width; x++) {
      const i = row + x;
      if (valid[i] === 1) continue;
      // Not examined and the before epoch usable: the after epoch is not (the pass examines exactly the
      // pixels usable in both), so only the before epoch's bands are read.
      if (usableAt(scored.before, i, plane, evidenceBands, nodataBefore)) after++;
      else {
        before++;
        if (!usableAt(scored.after, i, plane, evidenceBands, nodataAfter)) after++;
      }
    }
  }
  return { before, after };
}

/** The nodata value as the samples hold it (float32 samples hold it rounded to float32), or NaN for none. */
function comparableNodata(samples: ArrayLike<number>, nodata: number | null): number {
  if (nodata === null) return NaN;
  return samples instanceof Float32Array ? Math.fround(nodata) : nodata;
}

/** Whether every compared band of pixel i is finite and not nodata (NaN nodata equals nothing). */
function usableAt(samples: ArrayLike<number>, i: number, plane: number, bands: readonly number[], nodata: number): boolean {
  for (let k = 0; k < bands.length; k++) {
    const v = samples[bands[k]! * plane + i]!;
    if (v - v !== 0 || v === nodata) return false;
  }
  return true;
}

/** Ground and examined ground in 亩, for the whole area and each mask layer given. */
export interface CoverageSummary {
  mu: number;
  examinedMu: number;
  /** examined / whole, 4 decimals (1 when there is no ground) */
  examinedShare: number;
  /** ground not examined because the before epoch, or the after epoch, is unusable there (both can count a pixel) */
  beforeUnusableMu: number;
  afterUnusableMu: number;
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
  const out: CoverageSummary = {
    ...part(
      sum((t) => t.pixels),
      sum((t) => t.examined),
    ),
    beforeUnusableMu: round(squareMetresToMu(sum((t) => t.unusable?.before ?? 0)), 4),
    afterUnusableMu: round(squareMetresToMu(sum((t) => t.unusable?.after ?? 0)), 4),
  };
  for (const name of layers) {
    out[name] = part(
      sum((t) => t.layers[name]?.pixels ?? 0),
      sum((t) => t.layers[name]?.examined ?? 0),
    );
  }
  return out;
}
