import { z } from 'zod';
import type { BandName } from '../schemas/manifest.js';
import { pixelAreaM2 } from './pixel-area.js';
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { meanZScore } from '../kernels/mean-z-score.js';
import { buildingIndex } from '../kernels/building-index.js';
import { boxMean3x3 } from '../kernels/box-mean-3x3.js';
import type { ScoreDecision } from '../kernels/fuse-scores.js';
import { meanPool, pooledSize } from '../kernels/mean-pool.js';
import type { WindowSamples } from './classify-change.js';

/**
 * Structural change: the score of visible-light imagery fine enough to resolve buildings
 * (docs/detection.md, step 5a). On such imagery the spectral cues say that the ground changed (a field
 * became a lawn, a track a road), not that something was built; the score is instead the gain of the
 * morphological building index (building-index.ts) of the epochs' intensity.
 */

/** Building sides the index looks for (m): narrower structures (cars, walls, single trees) are left out,
 *  and a structure wider than the long side in every direction reads as open ground. */
export const BUILDING_SIDE_M = { short: 3.5, long: 30 } as const;

/** Bands that carry only visible light (and panchromatic): imagery of these alone gets the structural score. */
const VISIBLE_BANDS: ReadonlySet<BandName> = new Set<BandName>(['pan', 'blue', 'green', 'green05', 'yellow', 'red']);

/** The shortest segment must span at least this many pixels (a 1-pixel opening removes nothing). */
const MIN_SHORT_PX = 3;
/** Imagery finer than this (m) is scored on blocks of 2, 4, … pixels averaged to at least this size: the
 *  building sizes looked for span at most 151 such pixels, which bounds the openings' reach. */
const FINEST_SCORED_PIXEL_M = 0.2;
/** Largest block side averaged (imagery down to 0.2 m / 16 = 1.25 cm). */
const MAX_POOL = 16;

/** Segment lengths (odd, in scored pixels) of the building index of a pair, and the side of the blocks of
 *  image pixels averaged into one scored pixel (1: none); recorded with the pair statistics. */
export const StructureSpec = z.object({
  short: z.number().int().positive(),
  long: z.number().int().positive(),
  pool: z.number().int().positive().default(1),
});
export type StructureSpec = z.infer<typeof StructureSpec>;

/** The odd pixel count nearest to `px`. */
function oddPixels(px: number): number {
  return 2 * Math.round((px - 1) / 2) + 1;
}

/**
 * The structural score's segment lengths for a pair, or null when the spectral score applies: every
 * evidence band must be a named visible (or panchromatic) band — with near infrared or beyond, the spectral
 * cues separate land covers and stay — and the ground pixel (at the overlap's centre) must be fine enough
 * that BUILDING_SIDE_M.short spans MIN_SHORT_PX pixels (≤ 1.17 m). Imagery finer than
 * FINEST_SCORED_PIXEL_M is scored on blocks of `pool` × `pool` pixels (a power of two) averaged to
 * 0.2–0.4 m; below 0.2 m / MAX_POOL the spectral score applies.
 */
export function structureOf(lattice: Lattice, overlap: LatticeWindow, bands: readonly (BandName | null)[], evidence: readonly number[]): StructureSpec | null {
  if (evidence.length === 0) return null;
  for (const b of evidence) {
    const name = bands[b];
    if (name === null || name === undefined || !VISIBLE_BANDS.has(name)) return null;
  }
  const image = Math.sqrt(pixelAreaM2(lattice, overlap.col + overlap.width / 2, overlap.row + overlap.height / 2));
  if (!(image > 0)) return null;
  let pool = 1;
  while (image * pool < FINEST_SCORED_PIXEL_M && pool < MAX_POOL) pool *= 2;
  if (image * pool < FINEST_SCORED_PIXEL_M) return null;
  const pixel = image * pool;
  const short = oddPixels(BUILDING_SIDE_M.short / pixel);
  const long = oddPixels(BUILDING_SIDE_M.long / pixel);
  if (short < MIN_SHORT_PX) return null;
  return { short, long, pool };
}

/**
 * Radius (image pixels) of the closing that joins a structurally scored change mask before its opening: a
 * square of the index's shortest building side (short · pool pixels, 3.5 m). The building index answers to
 * parts of a roof (a ridge, the face towards the light), so one new house comes out as fragments a few
 * pixels apart, each below the minimum area; closing gaps narrower than the smallest building joins them
 * into the house (and houses that close into one site), and cannot join things farther apart than that.
 * 0 for the spectral score (10 m and coarser: a 3.5 m gap is inside a pixel).
 */
export function structureClosing(structure: StructureSpec | null): number {
  return structure ? Math.floor((structure.short * structure.pool) / 2) : 0;
}

/**
 * Image pixels a structural score looks beyond those of the spectral score: the openings reach long − 1
 * scored pixels; with blocks, the score of a block depends on blocks up to long away (the 3×3 mean is taken
 * on blocks) and a pixel lies anywhere in its block, so pool · (long + 1) image pixels keep every block used
 * whole.
 */
export function structureReach(structure: StructureSpec | null): number {
  if (!structure) return 0;
  return structure.pool === 1 ? structure.long - 1 : structure.pool * (structure.long + 1);
}

/** What structuralScore needs of the pair statistics (evidence bands, in evidence order). */
export interface StructureModel {
  structure: StructureSpec;
  bands: number;
  beforeMean: Float64Array;
  beforeStd: Float64Array;
  afterMean: Float64Array;
  afterStd: Float64Array;
}

/** Scratch arrays by name (classify-change.ts Workspace). */
interface Scratch {
  floats(name: string, n: number): Float32Array;
  bytes(name: string, n: number): Uint8Array;
}

/**
 * Structural change score of a window (planar evidence bands of both epochs, `valid` in both): each epoch's
 * intensity (mean of its z-scored bands, meanZScore), its building index, the gain max(0, after − before)
 * on valid pixels, averaged over the valid 3×3 neighbourhood (as the spectral score) into `out`. With
 * `pool` > 1 the intensities are first averaged over pool × pool blocks aligned to the lattice (`origin`:
 * the window's lattice position), the score computed on the blocks and given to each valid pixel of its
 * block. The result at a pixel depends on pixels up to structureReach + 1 away. Pure apart from the
 * scratch arrays.
 */
export function structuralScore(
  before: WindowSamples,
  after: WindowSamples,
  width: number,
  height: number,
  model: StructureModel,
  valid: Uint8Array,
  out: Float32Array,
  scratch: Scratch,
  origin: { col: number; row: number } = { col: 0, row: 0 },
): void {
  const { pool } = model.structure;
  if (pool === 1) {
    const n = width * height;
    const intensityBefore = scratch.floats('structureIntensityBefore', n);
    const intensityAfter = scratch.floats('structureIntensity', n);
    meanZScore(before, width, height, model.bands, model.beforeMean, model.beforeStd, valid, intensityBefore);
    meanZScore(after, width, height, model.bands, model.afterMean, model.afterStd, valid, intensityAfter);
    blockScores({ width, height, before: intensityBefore, after: intensityAfter, valid }, model.structure, scratch, out);
    return;
  }
  const blocks = pooledIntensities(before, after, width, height, model, valid, origin, scratch);
  const blockScore = scratch.floats('structureBlockScore', blocks.width * blocks.height);
  blockScores(blocks, model.structure, scratch, blockScore);
  spreadBlocks(blockScore, blocks.width, pool, blocks.offsetX, blocks.offsetY, valid, width, height, out);
}

/** Both epochs' intensities averaged over the lattice's pool × pool blocks of a window (pooled-structure.ts). */
export interface PooledIntensities {
  /** blocks across and down the window (pooledSize), and where the window's pixel (0, 0) sits in its block */
  width: number;
  height: number;
  offsetX: number;
  offsetY: number;
  before: Float32Array;
  after: Float32Array;
  /** 1 where a block holds a pixel valid in both epochs */
  valid: Uint8Array;
}

/**
 * Each epoch's intensity (mean of its z-scored evidence planes, meanZScore) averaged over the blocks of
 * the window (aligned to the lattice: `origin` is the window's lattice position), over the pixels valid in
 * both epochs. The arrays are the scratch's (valid until the same names are asked for again).
 */
export function pooledIntensities(
  before: WindowSamples,
  after: WindowSamples,
  width: number,
  height: number,
  model: StructureModel,
  valid: Uint8Array,
  origin: { col: number; row: number },
  scratch: Scratch,
): PooledIntensities {
  const { pool } = model.structure;
  const offsetX = ((origin.col % pool) + pool) % pool;
  const offsetY = ((origin.row % pool) + pool) % pool;
  const sw = pooledSize(width, offsetX, pool);
  const sh = pooledSize(height, offsetY, pool);
  const sn = sw * sh;
  const intensity = scratch.floats('structureIntensity', width * height);
  const pooledBefore = scratch.floats('structurePooledBefore', sn);
  const pooledAfter = scratch.floats('structurePooledAfter', sn);
  const pooledValid = scratch.bytes('structurePooledValid', sn);
  const sums = new Float64Array(sw);
  const counts = new Int32Array(sw);
  meanZScore(before, width, height, model.bands, model.beforeMean, model.beforeStd, valid, intensity);
  meanPool(intensity, valid, width, height, pool, offsetX, offsetY, sums, counts, pooledBefore, pooledValid);
  meanZScore(after, width, height, model.bands, model.afterMean, model.afterStd, valid, intensity);
  meanPool(intensity, valid, width, height, pool, offsetX, offsetY, sums, counts, pooledAfter, pooledValid);
  return { width: sw, height: sh, offsetX, offsetY, before: pooledBefore, after: pooledAfter, valid: pooledValid };
}

/**
 * The structural score of each block (`out`, blocks.width × blocks.height): the gain of the building index
 * between the epochs' block intensities on valid blocks, averaged over the valid 3×3 blocks around. A
 * block's score depends on blocks up to structure.long away. (Without pooling the blocks are the pixels.)
 */
export function blockScores(blocks: Omit<PooledIntensities, 'offsetX' | 'offsetY'>, structure: StructureSpec, scratch: Scratch, out: Float32Array): void {
  const { width: sw, height: sh } = blocks;
  const sn = sw * sh;
  const indexBefore = scratch.floats('structureBefore', sn);
  const indexAfter = scratch.floats('structureAfter', sn);
  const gain = scratch.floats('structureGain', sn);
  const work = scratch.floats('structureScratch', 5 * sn);
  buildingIndex(blocks.before, sw, sh, structure.short, structure.long, work, indexBefore);
  buildingIndex(blocks.after, sw, sh, structure.short, structure.long, work, indexAfter);
  for (let i = 0; i < sn; i++) {
    const g = indexAfter[i]! - indexBefore[i]!;
    gain[i] = blocks.valid[i] === 1 && g > 0 ? g : 0;
  }
  boxMean3x3(gain, blocks.valid, sw, sh, out);
}

/**
 * out[pixel] = the score of its block on valid pixels, 0 elsewhere; with `decision`, also decision.out[pixel] =
 * 1 where that score is valid and ≥ decision.threshold (thresholdScores of `out`), else 0.
 */
export function spreadBlocks(
  pooled: Float32Array,
  pw: number,
  pool: number,
  offsetX: number,
  offsetY: number,
  valid: Uint8Array,
  width: number,
  height: number,
  out: Float32Array,
  decision: ScoreDecision | null = null,
): void {
  if (decision !== null) {
    spreadBlocksDeciding(pooled, pw, pool, offsetX, offsetY, valid, width, height, out, decision.threshold, decision.out);
    return;
  }
  for (let y = 0; y < height; y++) {
    const from = (((offsetY + y) / pool) | 0) * pw;
    const row = y * width;
    for (let x = 0, bx = 0, left = pool - offsetX; x < width; x++) {
      out[row + x] = valid[row + x] === 1 ? pooled[from + bx]! : 0;
      if (--left === 0) {
        bx++;
        left = pool;
      }
    }
  }
}

/**
 * spreadBlocks that also writes the per-pixel decision thresholdScores would make of its output (1 where valid
 * and the block's score ≥ threshold, else 0), in the same sweep instead of a second one over the window.
 */
function spreadBlocksDeciding(pooled: Float32Array, pw: number, pool: number, offsetX: number, offsetY: number, valid: Uint8Array, width: number, height: number, out: Float32Array, threshold: number, change: Uint8Array): void {
  for (let y = 0; y < height; y++) {
    const from = (((offsetY + y) / pool) | 0) * pw;
    const row = y * width;
    for (let x = 0, bx = 0, left = pool - offsetX; x < width; x++) {
      const v = pooled[from + bx]!;
      const ok = valid[row + x] === 1;
      out[row + x] = ok ? v : 0;
      change[row + x] = ok && v >= threshold ? 1 : 0;
      if (--left === 0) {
        bx++;
        left = pool;
      }
    }
  }
}
