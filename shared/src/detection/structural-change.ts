import { z } from 'zod';
import type { BandName } from '../schemas/manifest.js';
import { pixelAreaM2 } from './pixel-area.js';
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { meanZScore } from '../kernels/mean-z-score.js';
import { buildingIndex } from '../kernels/building-index.js';
import { boxMean3x3 } from '../kernels/box-mean-3x3.js';

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
/** The longest segment at most this many (bounds the halo of every tile; finer imagery keeps the spectral score). */
const MAX_LONG_PX = 151;

/** Segment lengths (pixels, odd) of the building index of a pair; recorded with the pair statistics. */
export const StructureSpec = z.object({
  short: z.number().int().positive(),
  long: z.number().int().positive(),
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
 * that BUILDING_SIDE_M.short spans MIN_SHORT_PX pixels (≤ 1.17 m) and coarse enough that
 * BUILDING_SIDE_M.long spans at most MAX_LONG_PX (≥ 0.2 m).
 */
export function structureOf(lattice: Lattice, overlap: LatticeWindow, bands: readonly (BandName | null)[], evidence: readonly number[]): StructureSpec | null {
  if (evidence.length === 0) return null;
  for (const b of evidence) {
    const name = bands[b];
    if (name === null || name === undefined || !VISIBLE_BANDS.has(name)) return null;
  }
  const pixel = Math.sqrt(pixelAreaM2(lattice, overlap.col + overlap.width / 2, overlap.row + overlap.height / 2));
  if (!(pixel > 0)) return null;
  const short = oddPixels(BUILDING_SIDE_M.short / pixel);
  const long = oddPixels(BUILDING_SIDE_M.long / pixel);
  if (short < MIN_SHORT_PX || long > MAX_LONG_PX) return null;
  return { short, long };
}

/** Pixels a structural score looks beyond those of the spectral score: the openings reach long − 1. */
export function structureReach(structure: StructureSpec | null): number {
  return structure ? structure.long - 1 : 0;
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

/** Float32 scratch arrays by name (classify-change.ts Workspace). */
interface FloatScratch {
  floats(name: string, n: number): Float32Array;
}

/**
 * Structural change score of a window (planar evidence bands of both epochs, `valid` in both): each epoch's
 * intensity (mean of its z-scored bands, meanZScore), its building index, the gain max(0, after − before)
 * on valid pixels, averaged over the valid 3×3 neighbourhood (as the spectral score) into `out`. The
 * result at a pixel depends on pixels up to structureReach + 1 away. Pure apart from the scratch arrays.
 */
export function structuralScore(
  before: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array,
  after: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array,
  width: number,
  height: number,
  model: StructureModel,
  valid: Uint8Array,
  out: Float32Array,
  scratch: FloatScratch,
): void {
  const n = width * height;
  const { short, long } = model.structure;
  const intensity = scratch.floats('structureIntensity', n);
  const indexBefore = scratch.floats('structureBefore', n);
  const indexAfter = scratch.floats('structureAfter', n);
  const work = scratch.floats('structureScratch', 5 * n);
  meanZScore(before, width, height, model.bands, model.beforeMean, model.beforeStd, valid, intensity);
  buildingIndex(intensity, width, height, short, long, work, indexBefore);
  meanZScore(after, width, height, model.bands, model.afterMean, model.afterStd, valid, intensity);
  buildingIndex(intensity, width, height, short, long, work, indexAfter);
  const gain = intensity; // the intensity is no longer needed
  for (let i = 0; i < n; i++) {
    const g = indexAfter[i]! - indexBefore[i]!;
    gain[i] = valid[i] === 1 && g > 0 ? g : 0;
  }
  boxMean3x3(gain, valid, width, height, out);
}
