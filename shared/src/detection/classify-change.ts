import { changeCues, changeScores, thresholdScores, type ChangePassParams, type ScoreDecision } from '../kernels/fuse-scores.js';
import { andIntegerValidMask, isIntegerSamples } from '../kernels/valid-mask.js';
import { dilate3x3, erode3x3, open3x3 } from '../kernels/morphology.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { PairStats } from './pair-stats.js';
import { evidenceWindow } from './evidence-bands.js';
import { clearVegetatedInBoth, type VegetationTest } from '../kernels/vegetation-mask.js';
import { structuralScore, structureClosing, structureReach, type StructureSpec } from './structural-change.js';
import { clearShadows, type PairShadowTest } from './pair-shadows.js';
import { ArenaOwner, type ArenaType } from '../kernels/wasm/arena.js';
import type { UsableSamples, WindowBuffers } from './validity.js';

/** Arrays a Workspace keeps. */
type ScratchArray = UsableSamples | Int32Array;

/** Pair statistics as typed arrays, converted once per pair rather than per window: the change pass's
 *  parameters plus which bands of the file they describe. */
export interface ScoreModel extends ChangePassParams {
  /** Evidence bands: the model's arrays describe these, in this order (or their groups). */
  evidenceBands: number[];
  /** Sizes of the groups of consecutive evidence bands averaged into each plane; null: a plane per band. */
  evidenceGroups: number[] | null;
  /** Bands in the windows passed in (the file's band count). */
  fileBands: number;
  /** Scored by structure (structural-change.ts) instead of the fused spectral cues; null: spectral. */
  structure: StructureSpec | null;
  /** The pair's cloud-shadow test (pair-shadows.ts), run on each window before it is scored; null: none. */
  shadow: PairShadowTest | null;
}

export function scoreModel(
  stats: Omit<PairStats, 'threshold' | 'cvaMedian' | 'madMedian' | 'validPixels'> & { cvaMedian?: number; madMedian?: number },
  nodataBefore: number | null,
  nodataAfter: number | null,
  fileBands: number = stats.bands,
  shadow: PairShadowTest | null = null,
): ScoreModel {
  return {
    shadow,
    evidenceBands: [...stats.evidenceBands],
    evidenceGroups: stats.evidenceGroups ? [...stats.evidenceGroups] : null,
    fileBands,
    structure: stats.structure ?? null,
    bands: stats.bands,
    nodataBefore,
    nodataAfter,
    beforeMean: Float64Array.from(stats.beforeMean),
    beforeStd: Float64Array.from(stats.beforeStd),
    afterMean: Float64Array.from(stats.afterMean),
    afterStd: Float64Array.from(stats.afterStd),
    whiten: Float64Array.from(stats.transform.whiten),
    cvaMedian: stats.cvaMedian ?? 1,
    madMedian: stats.madMedian ?? 1,
  };
}

/**
 * A window's evidence planes (the evidence bands, or their group means) and the change pass's parameters
 * for them: group means mark unusable pixels NaN, so they are compared with no nodata value.
 */
function evidencePlanes(before: WindowSamples, after: WindowSamples, n: number, model: ScoreModel): [WindowSamples, WindowSamples, ChangePassParams] {
  const b = evidenceWindow(before, n, model.fileBands, model.evidenceBands, model.evidenceGroups, model.nodataBefore);
  const a = evidenceWindow(after, n, model.fileBands, model.evidenceBands, model.evidenceGroups, model.nodataAfter);
  const params = model.evidenceGroups === null ? model : { ...model, nodataBefore: b.nodata, nodataAfter: a.nodata };
  return [b.planes, a.planes, params];
}

/** Per-pixel cues of a window: validity, the two change scores. */
export interface Cues {
  valid: Uint8Array;
  cva: Float32Array;
  mad: Float32Array;
}

/**
 * The two change cues of a window (planar inputs of the same size). Pure apart from `into`'s arrays (the
 * cues come back in them when given: valid until the next call with the same workspace).
 * Validity: nodata (or non-finite) in either epoch excludes the pixel.
 */
export function computeCues(beforeAll: WindowSamples, afterAll: WindowSamples, width: number, height: number, model: ScoreModel, into?: Workspace): Cues {
  const n = width * height;
  const [before, after, params] = evidencePlanes(beforeAll, afterAll, n, model);
  const valid = into ? into.bytes('cueValid', n) : new Uint8Array(n);
  const cva = into ? into.floats('cueCva', n) : new Float32Array(n);
  const mad = into ? into.floats('cueMad', n) : new Float32Array(n);
  // One pass, bit-identical to andValidMask ×2 + changeVectorMagnitude + whitenedChiScore.
  changeCues(before, after, width, height, params, valid, cva, mad);
  return { valid, cva, mad };
}

/** Validity and fused change score of a window. */
export interface WindowScore {
  valid: Uint8Array;
  score: Float32Array;
  /** The decision against the threshold scoreWindow was given (1 where valid and score ≥ it), if any. */
  decided?: { threshold: number; change: Uint8Array };
}

/**
 * Fused change score: min of the two cues in multiples of their pair medians, averaged over the
 * valid 3×3 neighbourhood. Computed over the whole window given (read with a halo, see HALO_PX).
 */
/** Samples a window may hold: float32 (unusable pixels NaN), or a file's own 8/16-bit samples (none unusable). */
export type WindowSamples = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

/**
 * `origin`: the window's lattice position (the structural score's blocks are aligned to the lattice).
 * With `threshold`, the spectral pass also decides each pixel against it as it scores (classifyChange then
 * takes that decision instead of comparing the window again); a pair scored by structure decides later,
 * on its final score.
 * `excluded`: pixels to treat as invalid (1), e.g. the part of a window that no read covered.
 */
export function scoreWindow(before: WindowSamples, after: WindowSamples, width: number, height: number, model: ScoreModel, into?: Workspace, origin?: { col: number; row: number }, threshold?: number, excluded: Uint8Array | null = null): WindowScore {
  const n = width * height;
  // Shadow pixels become NaN in their epoch's window (in place: every later reader of the window, the
  // seasonal test and the typing included, then sees them unusable, and a second run changes nothing).
  clearShadows(before, after, n, model.shadow);
  const [b, a, params] = evidencePlanes(before, after, n, model);
  const valid = into ? into.passBytes('valid', n) : new Uint8Array(n);
  const score = into ? into.passFloats('score', n) : new Float32Array(n);
  const decided = threshold !== undefined && !model.structure ? { threshold, change: into ? into.passBytes('change', n) : new Uint8Array(n) } : null;
  if (model.structure) {
    // A pair scored by structure takes the spectral pass's validity (nodata, NaN), the one every score uses,
    // and replaces its score.
    if (excluded === null) passValidity(b, a, width, height, params, valid, score);
    else changeScores(b, a, width, height, params, valid, score, excluded, null);
    structuralScore(b, a, width, height, { ...model, structure: model.structure }, valid, score, into ?? new Workspace(), origin);
    return { valid, score };
  }
  // One pass, bit-identical to computeCues + fuseMinScaled + boxMean3x3 (and the threshold test).
  changeScores(b, a, width, height, params, valid, score, excluded, decided && { threshold: decided.threshold, out: decided.change });
  return decided ? { valid, score, decided } : { valid, score };
}

/**
 * The validity changeScores writes (nodata, or non-finite, in either epoch's evidence planes), for a caller
 * that replaces the score: windows of integer samples in both epochs take the nodata test alone
 * (andIntegerValidMask, the same mask; `score` is left as it was), others the whole pass.
 */
function passValidity(b: WindowSamples, a: WindowSamples, width: number, height: number, params: ChangePassParams, valid: Uint8Array, score: Float32Array): void {
  const n = width * height;
  if (isIntegerSamples(b) && isIntegerSamples(a)) {
    valid.fill(1, 0, n);
    andIntegerValidMask(b, n, params.bands, params.nodataBefore, valid);
    andIntegerValidMask(a, n, params.bands, params.nodataAfter, valid);
  } else {
    changeScores(b, a, width, height, params, valid, score, null, null);
  }
}

/** Scores a window from the blocks around it (PooledStructure.score, or scoreFrom on blocks a caller holds). */
export interface BlockScorer {
  /** With `decision`, also the per-pixel decision against its threshold, as thresholdScores makes it. */
  score(window: LatticeWindow, valid: Uint8Array, scratch: Workspace, out: Float32Array, decision?: ScoreDecision | null): void;
}

/**
 * scoreWindow for a pair whose structural score comes from blocks (PooledStructure): `window` needs only
 * the halo of the clean-up (haloOf with `pooled`), and the same scores come back. With `threshold`, the
 * decision against it is made as the blocks' scores are spread (classifyChange then takes it).
 */
export function scorePooledWindow(before: WindowSamples, after: WindowSamples, window: LatticeWindow, model: ScoreModel, into: Workspace, pooled: BlockScorer, threshold?: number): WindowScore {
  const { valid, score } = windowValidity(before, after, window.width, window.height, model, into);
  if (threshold === undefined) {
    pooled.score(window, valid, into, score);
    return { valid, score };
  }
  const change = into.bytes('change', window.width * window.height);
  pooled.score(window, valid, into, score, { threshold, out: change });
  return { valid, score, decided: { threshold, change } };
}

/**
 * The evidence planes of a window and its validity (both epochs usable), as scoreWindow reads them: the
 * pair's shadow test run, then the spectral pass's validity (passValidity). `score` is the workspace's array
 * for the caller to fill, not a score.
 */
export function windowValidity(before: WindowSamples, after: WindowSamples, width: number, height: number, model: ScoreModel, into: Workspace): { before: WindowSamples; after: WindowSamples; valid: Uint8Array; score: Float32Array } {
  const n = width * height;
  clearShadows(before, after, n, model.shadow);
  const [b, a, params] = evidencePlanes(before, after, n, model);
  const valid = into.bytes('valid', n);
  const score = into.floats('score', n);
  passValidity(b, a, width, height, params, valid, score);
  return { before: b, after: a, valid, score };
}

/**
 * Pixels read around every window. A pixel's final class depends on pixels up to 3 away: the opening
 * looks 2 pixels out, and the 3×3 mean of the score 1 more. With this halo a pixel comes out the same
 * whichever tile it falls in, and the same as in one whole-scene window.
 */
export const HALO_PX = 3;

/** Copies the interior part of a halo window's raster (into `out` when given: exactly the interior's size). */
export function cropToInterior<T extends Uint8Array | Float32Array>(data: T, halo: LatticeWindow, interior: LatticeWindow, out?: T): T {
  out ??= new (data.constructor as { new (n: number): T })(interior.width * interior.height);
  const dx = interior.col - halo.col;
  const dy = interior.row - halo.row;
  for (let y = 0; y < interior.height; y++) {
    const from = (y + dy) * halo.width + dx;
    out.set(data.subarray(from, from + interior.width) as never, y * interior.width);
  }
  return out;
}

/** Binary change of a scored window, and the cleaned mask that patches are made from. */
export interface ChangeMaps {
  /** 1 change / 0 no change (invalid pixels are 0): the per-pixel decision. */
  change: Uint8Array;
  /** change after the optional 3×3 opening. */
  cleaned: Uint8Array;
}

/** The window's imagery (planar, the file's bands) and the seasonal exclusion's vegetation test. */
export interface SeasonalTest {
  before: WindowSamples;
  after: WindowSamples;
  test: VegetationTest;
}

/**
 * The per-pixel decision (valid, score ≥ threshold, and not seasonal: pixels vegetated in both epochs by
 * `seasonal`'s test are never change) and its cleaned mask: with `opening`, closed with a square of radius
 * `closing` (structureClosing; 0: none) and then opened 3×3. The cleaned mask at a pixel depends on the
 * decision up to 2 · closing + 2 pixels away (haloOf leaves that margin).
 */
export function classifyChange(scored: WindowScore, width: number, height: number, threshold: number, opening: boolean, seasonal: SeasonalTest | null = null, into?: Workspace, closing = 0): ChangeMaps {
  const n = width * height;
  const { valid, score } = scored;
  let change: Uint8Array;
  if (scored.decided !== undefined && scored.decided.threshold === threshold && scored.decided.change.length === n) {
    change = scored.decided.change;
  } else {
    change = into ? into.bytes('change', n) : new Uint8Array(n);
    thresholdScores(valid, score, n, threshold, change);
  }
  if (seasonal) clearVegetatedInBoth(seasonal.before, seasonal.after, n, seasonal.test, change);
  const cleaned = into ? into.bytes('cleaned', n) : new Uint8Array(n);
  if (!opening) {
    cleaned.set(change);
    return { change, cleaned };
  }
  const scratch = into ? into.bytes('openScratch', n) : new Uint8Array(n);
  open3x3(closing > 0 ? closeSquare(change, width, height, closing, into) : change, width, height, scratch, cleaned);
  return { change, cleaned };
}

/** Closing of `mask` with a (2r+1)² square: r 3×3 dilations, then r 3×3 erosions (square dilations compose). */
function closeSquare(mask: Uint8Array, width: number, height: number, r: number, into?: Workspace): Uint8Array {
  const n = width * height;
  let src = into ? into.bytes('closeA', n) : new Uint8Array(n);
  let dst = into ? into.bytes('closeB', n) : new Uint8Array(n);
  dilate3x3(mask, width, height, src);
  for (let i = 1; i < r; i++) {
    dilate3x3(src, width, height, dst);
    [src, dst] = [dst, src];
  }
  for (let i = 0; i < r; i++) {
    erode3x3(src, width, height, dst);
    [src, dst] = [dst, src];
  }
  return src;
}

/**
 * Named scratch arrays reused window after window by one pass (no per-tile allocation of the large
 * rasters). An array handed out stays valid until the same name is asked for again.
 */
export class Workspace {
  private readonly arrays = new Map<string, ScratchArray>();
  private readonly arena: ArenaOwner | null;

  /**
   * `arena`: the change pass's outputs (passBytes, passFloats) and the windows lent for reads
   * (windowBuffers) are arrays of the thread's WebAssembly arena, which the pass reads and writes in place
   * instead of copying rows in and out; release() gives them back (else they go back when the workspace is
   * collected).
   */
  constructor(options: { arena?: boolean } = {}) {
    this.arena = options.arena ? new ArenaOwner(this) : null;
  }

  /** bytes(name, n), in the arena when the workspace has one (for the change pass's outputs). */
  passBytes(name: string, n: number): Uint8Array {
    return this.passArray(name, Uint8Array, n);
  }

  /** floats(name, n), in the arena when the workspace has one (for the change pass's outputs). */
  passFloats(name: string, n: number): Float32Array {
    return this.passArray(name, Float32Array, n);
  }

  /** Gives the arena arrays back (none of them may be in use any more). */
  release(): void {
    this.arena?.release();
  }

  /**
   * Buffers for one epoch's window (`side`: a name of its own for each window read at once), kept from
   * tile to tile; in the arena when the workspace has one, so that the change pass reads the window where
   * it is.
   */
  windowBuffers(side: string): WindowBuffers {
    return {
      samples: (type, n) => this.passArray<UsableSamples>(`window ${side}`, type, n),
      floats: (n) => this.passFloats(`window ${side}`, n),
    };
  }

  ints(name: string, n: number): Int32Array {
    return this.array(name, Int32Array, n);
  }

  bytes(name: string, n: number): Uint8Array {
    return this.array(name, Uint8Array, n);
  }

  floats(name: string, n: number): Float32Array {
    return this.array(name, Float32Array, n);
  }

  /** The array `name` of `type` in the arena when the workspace has one, else an ordinary one (array). */
  private passArray<T extends UsableSamples>(name: string, type: ArenaType<T> & (new (length: number) => T), n: number): T {
    return this.arena ? this.arena.scratch<T>(`${type.name} ${name}`, type, n) : this.array(name, type, n);
  }

  /** The array `name` of `type`, exactly `n` long: kept between calls, grown when too short. */
  private array<T extends ScratchArray>(name: string, type: new (length: number) => T, n: number): T {
    const key = `${type.name} ${name}`;
    let a = this.arrays.get(key) as T | undefined;
    if (a === undefined || a.length < n) this.arrays.set(key, (a = new type(n)));
    return a.subarray(0, n) as T;
  }
}

/**
 * The window grown by HALO_PX pixels on each side, plus what a structural score reaches beyond the spectral
 * one (structureReach; not with `pooled`: a PooledStructure holds the blocks around the window) and what
 * its closing reaches (2 · structureClosing), clipped to `limit` (the pair's overlap).
 */
export function haloOf(window: LatticeWindow, limit: LatticeWindow, structure: StructureSpec | null = null, pooled = false): LatticeWindow {
  const px = HALO_PX + (pooled ? 0 : structureReach(structure)) + 2 * structureClosing(structure);
  const col = Math.max(window.col - px, limit.col);
  const row = Math.max(window.row - px, limit.row);
  const colEnd = Math.min(window.col + window.width + px, limit.col + limit.width);
  const rowEnd = Math.min(window.row + window.height + px, limit.row + limit.height);
  return { col, row, width: colEnd - col, height: rowEnd - row };
}

/** Everything detection needs of one tile window, computed on its halo and cropped to the window. */
export interface ClassifiedWindow extends WindowScore, ChangeMaps {
  /** Validity over the whole halo window (for the patches' footprints). */
  haloValid: Uint8Array;
}

/**
 * scoreWindow and classifyChange on the halo window, cropped to `window`. With `into`, every array comes
 * back in its buffers (valid until its next use; the pair pass and the tile jobs reuse one per thread).
 */
export function classifyWindow(
  before: WindowSamples,
  after: WindowSamples,
  halo: LatticeWindow,
  window: LatticeWindow,
  model: ScoreModel,
  threshold: number,
  opening: boolean,
  vegetation: VegetationTest | null,
  into?: Workspace,
  blocks?: BlockScorer,
): ClassifiedWindow {
  const whole = blocks ? scorePooledWindow(before, after, halo, model, into ?? new Workspace(), blocks, threshold) : scoreWindow(before, after, halo.width, halo.height, model, into, halo, threshold);
  const maps = classifyChange(whole, halo.width, halo.height, threshold, opening, vegetation ? { before, after, test: vegetation } : null, into, structureClosing(model.structure));
  const inner = window.width * window.height;
  return {
    valid: cropToInterior(whole.valid, halo, window, into?.bytes('windowValid', inner)),
    score: cropToInterior(whole.score, halo, window, into?.floats('windowScore', inner)),
    change: cropToInterior(maps.change, halo, window, into?.bytes('windowChange', inner)),
    cleaned: cropToInterior(maps.cleaned, halo, window, into?.bytes('windowCleaned', inner)),
    haloValid: whole.valid,
  };
}
