import { bandMeanGradient, bestShift, SHIFT_DX, SHIFT_DY, SHIFT_INTEGER, SHIFT_PIXELS } from '../kernels/registration-shift.js';
import { meanPool, pooledSize } from '../kernels/mean-pool.js';

/**
 * The registration check of a pair (docs/detection.md, step 0): over square regions of the sampled blocks,
 * the shift that best aligns the epochs' edges (bestShift), and the pair's offset as the median of those
 * that resolve a peak, when they agree.
 * - radius 3: shifts up to 3 pixels are measured to a fraction of a pixel; a region whose peak lies on the
 *   search window's edge says only that the offset may be larger. When such regions outnumber the
 *   resolved ones and agree, the pair is offset by at least their median (`beyond`).
 * - regions of 128 pixels: enough edges for a clear peak at 10–30 m, small enough for several per block.
 * - at most 32 regions, spread over the blocks: 49 shifts of 16,384 pixels each, about 40 ms; the edges are
 *   computed over those regions only.
 * - agreement: the regions' shifts within 0.25 pixel of their median (median absolute deviation) in each
 *   axis. Regions whose edges changed wholly between the dates (new districts; 0.5 m imagery years apart,
 *   where edge correlations stay under 0.35) peak anywhere: they disagree, and no offset is claimed.
 */
export const REGISTRATION = { radius: 3, region: 128, maxRegions: 32, minRegions: 3, agreePx: 0.25, minPixelShare: 0.5 } as const;

/**
 * The coarse check, for offsets beyond the fine one's reach: each sampled block's band mean averaged over
 * 4 × 4 pixels, and the same search over regions of 40 such pixels with a radius of 6 of them — offsets of
 * up to 24 pixels, to a pixel or so. Read only when the fine check resolves no offset or finds it beyond
 * its radius (`coarse` in the result): it then says where the next round of co-registration looks. Drone
 * orthophotos of two flights are commonly a metre or two apart: 20–40 pixels at 5 cm.
 */
export const COARSE_REGISTRATION = { factor: 4, radius: 6, region: 40 } as const;

/** Offsets of at least this many pixels (in either axis) are reported as a warning. */
export const REGISTRATION_WARN_PX = 0.5;

/** The pair's registration check, as summary.json records it. */
export interface Registration {
  /** median offset of the after epoch from the before epoch in pixels [dx, dy] (2 decimals), or null when the regions do not resolve one */
  shift: [number, number] | null;
  /** true when the offset is at least `shift`: most regions peaked on the edge of the search window, together */
  beyond?: true;
  /** regions examined, those whose peak was resolved, and those whose peak lay on the search window's edge */
  regions: number;
  resolved: number;
  atEdge: number;
  /**
   * Present when `shift` is null or `beyond` and the coarse check (COARSE_REGISTRATION) resolves an offset
   * where the fine one does not reach: the median of its agreeing regions, in pixels [dx, dy] (2 decimals).
   */
  coarse?: [number, number];
}

/** Collects the per-region shifts of the sampled blocks, block by block, in the blocks' order. */
export class RegistrationCheck {
  private readonly dx: number[] = [];
  private readonly dy: number[] = [];
  private readonly edgeDx: number[] = [];
  private readonly edgeDy: number[] = [];
  private regions = 0;
  private readonly perBlock: number;
  private readonly scores = new Float64Array((2 * REGISTRATION.radius + 1) ** 2);
  private readonly out = new Float64Array(SHIFT_INTEGER + 1);
  // image-sized planes, reused block after block
  private mean = new Float32Array(0);
  private gb = new Float32Array(0);
  private ga = new Float32Array(0);
  // the coarse check: its regions' shifts, scratch, block-sized band sums and pooled planes
  private readonly coarseDx: number[] = [];
  private readonly coarseDy: number[] = [];
  private readonly coarseScores = new Float64Array((2 * COARSE_REGISTRATION.radius + 1) ** 2);
  private sumB = new Float32Array(0);
  private sumA = new Float32Array(0);
  private pooled = { b: new Float32Array(0), a: new Float32Array(0), valid: new Uint8Array(0), mean: new Float32Array(0), gb: new Float32Array(0), ga: new Float32Array(0) };
  private poolSums = new Float64Array(0);
  private poolCounts = new Int32Array(0);

  constructor(blocks: number) {
    this.perBlock = Math.max(1, Math.floor(REGISTRATION.maxRegions / Math.max(1, blocks)));
  }

  /** One block's evidence bands of both epochs (planar) and the pixels valid in both. */
  add(before: Float32Array, after: Float32Array, width: number, height: number, bands: number, valid: Uint8Array): void {
    // The coarse check only where the fine one leaves a region unresolved: on a co-registered pair it
    // costs nothing (the band sums and pooling are most of its time, about 9 ms a 512² block of 4 bands).
    if (!this.addFine(before, after, width, height, bands, valid)) this.addCoarse(before, after, width, height, bands, valid);
  }

  /** The fine check's regions of a block; true when every one resolved its peak inside the search window. */
  private addFine(before: Float32Array, after: Float32Array, width: number, height: number, bands: number, valid: Uint8Array): boolean {
    const { radius, region } = REGISTRATION;
    const margin = radius + 1; // the gradient's ring, then the search
    const across = Math.floor((width - 2 * margin) / region);
    const down = Math.floor((height - 2 * margin) / region);
    if (across < 1 || down < 1) return false;
    const pixels = width * height;
    if (this.mean.length < pixels) {
      this.mean = new Float32Array(pixels);
      this.gb = new Float32Array(pixels);
      this.ga = new Float32Array(pixels);
    }
    const { mean, gb, ga } = this;
    const cells = across * down;
    const take = Math.min(cells, this.perBlock);
    let inside = 0;
    for (let j = 0; j < take; j++) {
      const cell = Math.floor(((j + 0.5) * cells) / take);
      const x0 = margin + (cell % across) * region;
      const y0 = margin + Math.floor(cell / across) * region;
      // edges over the region and every place a shift moves it to
      const [wx, wy, ww] = [x0 - radius, y0 - radius, region + 2 * radius];
      bandMeanGradient(before, width, height, bands, valid, mean, gb, wx, wy, ww, ww);
      bandMeanGradient(after, width, height, bands, valid, mean, ga, wx, wy, ww, ww);
      bestShift(gb, ga, width, height, x0, y0, region, region, radius, this.scores, this.out);
      this.regions++;
      if (!(this.out[SHIFT_PIXELS]! >= REGISTRATION.minPixelShare * region * region)) continue;
      if (this.out[SHIFT_INTEGER] === 1) inside++;
      const [dx, dy] = this.out[SHIFT_INTEGER] === 1 ? [this.dx, this.dy] : [this.edgeDx, this.edgeDy];
      dx.push(this.out[SHIFT_DX]!);
      dy.push(this.out[SHIFT_DY]!);
    }
    return inside === take;
  }

  /** The block's band sums pooled by COARSE_REGISTRATION.factor, then the fine check's search on them. */
  private addCoarse(before: Float32Array, after: Float32Array, width: number, height: number, bands: number, valid: Uint8Array): void {
    const { factor, radius, region } = COARSE_REGISTRATION;
    const cw = pooledSize(width, 0, factor);
    const ch = pooledSize(height, 0, factor);
    const margin = radius + 1;
    const across = Math.floor((cw - 2 * margin) / region);
    const down = Math.floor((ch - 2 * margin) / region);
    if (across < 1 || down < 1) return;
    const pixels = width * height;
    if (this.sumB.length < pixels) {
      this.sumB = new Float32Array(pixels);
      this.sumA = new Float32Array(pixels);
    }
    if (this.pooled.b.length < cw * ch) {
      const n = cw * ch;
      this.pooled = { b: new Float32Array(n), a: new Float32Array(n), valid: new Uint8Array(n), mean: new Float32Array(n), gb: new Float32Array(n), ga: new Float32Array(n) };
    }
    if (this.poolSums.length < cw) {
      this.poolSums = new Float64Array(cw);
      this.poolCounts = new Int32Array(cw);
    }
    const { sumB, sumA, pooled } = this;
    bandSums(before, pixels, bands, sumB);
    bandSums(after, pixels, bands, sumA);
    meanPool(sumB.subarray(0, pixels), valid, width, height, factor, 0, 0, this.poolSums.subarray(0, cw), this.poolCounts.subarray(0, cw), pooled.b.subarray(0, cw * ch), pooled.valid.subarray(0, cw * ch));
    meanPool(sumA.subarray(0, pixels), valid, width, height, factor, 0, 0, this.poolSums.subarray(0, cw), this.poolCounts.subarray(0, cw), pooled.a.subarray(0, cw * ch), pooled.valid.subarray(0, cw * ch));
    const n = cw * ch;
    bandMeanGradient(pooled.b.subarray(0, n), cw, ch, 1, pooled.valid.subarray(0, n), pooled.mean.subarray(0, n), pooled.gb.subarray(0, n));
    bandMeanGradient(pooled.a.subarray(0, n), cw, ch, 1, pooled.valid.subarray(0, n), pooled.mean.subarray(0, n), pooled.ga.subarray(0, n));
    const cells = across * down;
    const take = Math.min(cells, this.perBlock);
    for (let j = 0; j < take; j++) {
      const cell = Math.floor(((j + 0.5) * cells) / take);
      const x0 = margin + (cell % across) * region;
      const y0 = margin + Math.floor(cell / across) * region;
      bestShift(pooled.gb.subarray(0, n), pooled.ga.subarray(0, n), cw, ch, x0, y0, region, region, radius, this.coarseScores, this.out);
      if (this.out[SHIFT_INTEGER] !== 1 || !(this.out[SHIFT_PIXELS]! >= REGISTRATION.minPixelShare * region * region)) continue;
      this.coarseDx.push(factor * this.out[SHIFT_DX]!);
      this.coarseDy.push(factor * this.out[SHIFT_DY]!);
    }
  }

  result(): Registration {
    const base = { regions: this.regions, resolved: this.dx.length, atEdge: this.edgeDx.length };
    const beyond = this.edgeDx.length > this.dx.length;
    const shift = beyond ? agreed(this.edgeDx, this.edgeDy) : agreed(this.dx, this.dy);
    // the coarse check speaks where the fine one does not reach (agreement within a quarter of its pixel)
    const coarse = shift === null || beyond ? agreed(this.coarseDx, this.coarseDy, COARSE_REGISTRATION.factor * REGISTRATION.agreePx) : null;
    const withCoarse = coarse !== null ? { coarse } : {};
    if (shift === null) return { shift: null, ...base, ...withCoarse };
    return { shift, ...(beyond ? { beyond: true as const } : {}), ...base, ...withCoarse };
  }
}

/**
 * Co-registration (docs/detection.md, step 0): an after epoch whose content the check finds offset by half
 * a pixel or more is read that many whole pixels over (its georeferencing corrected, never resampled), and
 * checked again. At most this many checks in all: an offset beyond the fine search is taken from the coarse
 * check (up to 24 pixels), else approached 3 pixels a round; the last round must confirm. Each round is
 * another statistics pass, run only for a pair found offset.
 */
export const COREGISTRATION_ROUNDS = 6;

/** A correction applied: the whole pixels the after epoch was read over, and the first check's offset. */
export interface Coregistration {
  /** [dx, dy]: the after epoch's pixel (x + dx, y + dy) was compared with the before epoch's (x, y) */
  shift: [number, number];
  /** the offset measured before any correction (offsetFound of the first check) */
  measured: [number, number];
  /** true when the first check found the offset only to be at least `measured` */
  beyond?: true;
  /** true when the first check's offset is the coarse check's (COARSE_REGISTRATION) */
  coarse?: true;
}

/** The Coregistration record of a correction by `applied` pixels after a first check `first`. */
export function coregistrationOf(applied: [number, number], first: Registration): Coregistration {
  const found = offsetFound(first)!;
  return { shift: applied, measured: found.shift, ...(found.beyond ? { beyond: true as const } : {}), ...(found.coarse ? { coarse: true as const } : {}) };
}

/** What to do after a check made with the after epoch read `applied` pixels over (round 0, 1, …). */
export type CorrectionStep = { accept: true } | { tryShift: [number, number] } | { abandon: 'unconfirmed' | 'out_of_reach' };

/**
 * The co-registration rule. Accept when the check finds no offset of half a pixel left (or none it can
 * resolve, with nothing applied); else try the shift so far plus the offset rounded to whole pixels — the
 * coarse check's where the fine one has none or finds it beyond its reach — while rounds remain. A correction
 * that the last round does not confirm is abandoned: the caller reads the file as delivered and reports the
 * first check's offset.
 */
export function nextCorrection(applied: readonly [number, number], check: Registration, round: number): CorrectionStep {
  const nothingApplied = applied[0] === 0 && applied[1] === 0;
  let move: [number, number] | null;
  if (check.shift !== null && !check.beyond) {
    // A correction that leaves half a pixel or less is kept: moving again by a whole pixel would leave as much
    // the other way (and a pair offset by exactly half a pixel would swing between the two).
    const settled = !nothingApplied && Math.abs(check.shift[0]) <= 0.5 && Math.abs(check.shift[1]) <= 0.5;
    move = settled ? null : wholePixels(check.shift);
    if (move === null) return { accept: true };
  } else {
    // beyond the fine check's reach: where the coarse check puts it, else 3 pixels further that way
    move = (check.coarse && wholePixels(check.coarse)) ?? (check.shift && wholePixels(check.shift));
    if (move === null) return nothingApplied ? { accept: true } : { abandon: 'unconfirmed' };
  }
  if (round + 1 >= COREGISTRATION_ROUNDS) return nothingApplied ? { accept: true } : { abandon: 'out_of_reach' };
  return { tryShift: [applied[0] + move[0], applied[1] + move[1]] };
}

/** An offset rounded half away from zero to whole pixels, or null when that is no move. */
function wholePixels(offset: readonly [number, number]): [number, number] | null {
  const [rx, ry] = offset.map(roundHalfAway) as [number, number];
  return rx === 0 && ry === 0 ? null : [rx, ry];
}

/** An offset a check found, and how: `beyond` an "at least", `coarse` from the coarse check. */
export interface FoundOffset {
  shift: [number, number];
  beyond?: true;
  coarse?: true;
}

/**
 * The offset a check found: its fine `shift` when resolved within reach, else the coarse check's, else the
 * fine one's "at least", else null.
 */
export function offsetFound(check: Registration): FoundOffset | null {
  if (check.shift !== null && !check.beyond) return { shift: check.shift };
  if (check.coarse) return { shift: check.coarse, coarse: true };
  return check.shift && { shift: check.shift, beyond: true };
}

/** Rounds half away from zero (±0.5 → ±1). */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** Whether a resolved offset is large enough to report. */
export function offsetWorthReporting(registration: Registration): boolean {
  const found = offsetFound(registration);
  return found !== null && (Math.abs(found.shift[0]) >= REGISTRATION_WARN_PX || Math.abs(found.shift[1]) >= REGISTRATION_WARN_PX);
}

/** The median shift of the regions when there are enough of them and they agree, else null. */
function agreed(dx: readonly number[], dy: readonly number[], agreePx: number = REGISTRATION.agreePx): [number, number] | null {
  if (dx.length < REGISTRATION.minRegions) return null;
  const mx = median(dx);
  const my = median(dy);
  const spread = (values: readonly number[], m: number) => median(values.map((v) => Math.abs(v - m)));
  if (spread(dx, mx) > agreePx || spread(dy, my) > agreePx) return null;
  const round2 = (v: number) => Math.round(v * 100) / 100 + 0; // + 0: no −0 in the record
  return [round2(mx), round2(my)];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Per pixel, the sum of the planar bands (the band mean's scale does not matter to a normalised correlation). */
function bandSums(planar: Float32Array, pixels: number, bands: number, out: Float32Array): void {
  out.set(planar.subarray(0, pixels));
  for (let b = 1; b < bands; b++) {
    const p = b * pixels;
    for (let i = 0; i < pixels; i++) out[i] = out[i]! + planar[p + i]!;
  }
}
