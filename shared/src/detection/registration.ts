import { bandMeanGradient, bestShift, SHIFT_DX, SHIFT_DY, SHIFT_INTEGER, SHIFT_PIXELS } from '../kernels/registration-shift.js';

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

  constructor(blocks: number) {
    this.perBlock = Math.max(1, Math.floor(REGISTRATION.maxRegions / Math.max(1, blocks)));
  }

  /** One block's evidence bands of both epochs (planar) and the pixels valid in both. */
  add(before: Float32Array, after: Float32Array, width: number, height: number, bands: number, valid: Uint8Array): void {
    const { radius, region } = REGISTRATION;
    const margin = radius + 1; // the gradient's ring, then the search
    const across = Math.floor((width - 2 * margin) / region);
    const down = Math.floor((height - 2 * margin) / region);
    if (across < 1 || down < 1) return;
    const pixels = width * height;
    if (this.mean.length < pixels) {
      this.mean = new Float32Array(pixels);
      this.gb = new Float32Array(pixels);
      this.ga = new Float32Array(pixels);
    }
    const { mean, gb, ga } = this;
    const cells = across * down;
    const take = Math.min(cells, this.perBlock);
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
      const [dx, dy] = this.out[SHIFT_INTEGER] === 1 ? [this.dx, this.dy] : [this.edgeDx, this.edgeDy];
      dx.push(this.out[SHIFT_DX]!);
      dy.push(this.out[SHIFT_DY]!);
    }
  }

  result(): Registration {
    const base = { regions: this.regions, resolved: this.dx.length, atEdge: this.edgeDx.length };
    const beyond = this.edgeDx.length > this.dx.length;
    const shift = beyond ? agreed(this.edgeDx, this.edgeDy) : agreed(this.dx, this.dy);
    if (shift === null) return { shift: null, ...base };
    return { shift, ...(beyond ? { beyond: true as const } : {}), ...base };
  }
}

/**
 * Co-registration (docs/detection.md, step 0): an after epoch whose content the check finds offset by half
 * a pixel or more is read that many whole pixels over (its georeferencing corrected, never resampled), and
 * checked again. At most this many checks in all: an offset beyond the search radius is approached by it a
 * round at a time (3 pixels a round: up to 15 pixels, the last round confirming). Each round is another
 * statistics pass, run only for a pair found offset.
 */
export const COREGISTRATION_ROUNDS = 6;

/** A correction applied: the whole pixels the after epoch was read over, and the first check's offset. */
export interface Coregistration {
  /** [dx, dy]: the after epoch's pixel (x + dx, y + dy) was compared with the before epoch's (x, y) */
  shift: [number, number];
  /** the offset measured before any correction (the first check's `shift`) */
  measured: [number, number];
  /** true when the first check found the offset only to be at least `measured` */
  beyond?: true;
}

/** What to do after a check made with the after epoch read `applied` pixels over (round 0, 1, …). */
export type CorrectionStep = { accept: true } | { tryShift: [number, number] } | { abandon: 'unconfirmed' | 'out_of_reach' };

/**
 * The co-registration rule. Accept when the check finds no offset of half a pixel left (or none it can
 * resolve, with nothing applied); else try the shift so far plus the offset rounded to whole pixels, while
 * rounds remain. A correction that the last round does not confirm is abandoned: the caller reads the file as
 * delivered and reports the first check's offset.
 */
export function nextCorrection(applied: readonly [number, number], check: Registration, round: number): CorrectionStep {
  const nothingApplied = applied[0] === 0 && applied[1] === 0;
  if (check.shift === null) return nothingApplied ? { accept: true } : { abandon: 'unconfirmed' };
  const [rx, ry] = check.shift.map(roundHalfAway) as [number, number];
  if (rx === 0 && ry === 0 && !check.beyond) return { accept: true };
  if (round + 1 >= COREGISTRATION_ROUNDS) return nothingApplied ? { accept: true } : { abandon: 'out_of_reach' };
  return { tryShift: [applied[0] + rx, applied[1] + ry] };
}

/** Rounds half away from zero (±0.5 → ±1). */
function roundHalfAway(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

/** Whether a resolved offset is large enough to report. */
export function offsetWorthReporting(registration: Registration): boolean {
  return registration.shift !== null && (Math.abs(registration.shift[0]) >= REGISTRATION_WARN_PX || Math.abs(registration.shift[1]) >= REGISTRATION_WARN_PX);
}

/** The median shift of the regions when there are enough of them and they agree, else null. */
function agreed(dx: readonly number[], dy: readonly number[]): [number, number] | null {
  if (dx.length < REGISTRATION.minRegions) return null;
  const mx = median(dx);
  const my = median(dy);
  const spread = (values: readonly number[], m: number) => median(values.map((v) => Math.abs(v - m)));
  if (spread(dx, mx) > REGISTRATION.agreePx || spread(dy, my) > REGISTRATION.agreePx) return null;
  const round2 = (v: number) => Math.round(v * 100) / 100 + 0; // + 0: no −0 in the record
  return [round2(mx), round2(my)];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
