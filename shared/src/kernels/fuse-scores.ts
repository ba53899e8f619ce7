/**
 * Fuses two change scores by the minimum of their scaled values: a pixel scores high only when both
 * cues agree. Layout: `first`, `second`, `out` Float32Array(width*height); `valid` Uint8Array.
 * Each score is first divided by its typical value over the scene pair (its median), so both are in
 * "multiples of typical change" and comparable. Invalid pixels → 0.
 *
 * Why the minimum: the z-scored change vector reacts to any spectral difference (including
 * calibration and band-mixing differences), the whitened chi score (ISFA; IR-MAD in detector 2) to
 * departures from what the pair's unchanged pixels look like (including noise in weakly correlated
 * bands); their false alarms differ, real change raises both, so the conjunction suppresses each cue's
 * own false alarms.
 *
 * Arithmetic: float32 (each scale rounded to float32 once, each product rounded), as in the whole
 * change pass: changeVectorMagnitude, whitenedChiScore and boxMean3x3 compute in float32 too.
 *
 * Also here: changeCues and changeScores, the whole per-pixel change pass (validity, both cues, this
 * fusion and the valid 3×3 mean) in one sweep over the rows, bit-identical to the separate kernels.
 * They run on WebAssembly SIMD kernels where they can (change-pass-simd.ts: 1–16 bands of 8/16-bit
 * integer or float32 samples) and on generated scalar steps otherwise; both write the same bytes.
 * All of these compute in float32, every operation rounded to float32, so that SIMD code with four
 * float32 lanes can reproduce them bit for bit.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';
import {
  type ChangeSamples,
  type CueRowStep,
  K_CVA_SCALE,
  K_INVERSE_BANDS,
  K_MAD_SCALE,
  K_NODATA_AFTER,
  K_NODATA_BEFORE,
  MAX_GENERATED_BANDS,
  constantOffsets,
  constantsLength,
  cueRowStep,
  triangleIndex,
} from './change-pass-rows.js';
import { simdChangePass, simdPassAvailable } from './change-pass-simd.js';

export type { ChangeSamples } from './change-pass-rows.js';

export function fuseMinScaled(
  first: Float32Array,
  second: Float32Array,
  firstScale: number,
  secondScale: number,
  valid: Uint8Array,
  length: number,
  out: Float32Array,
): void {
  requireLength('first', first, length);
  requireLength('second', second, length);
  requireLength('valid', valid, length);
  requireLength('out', out, length);
  // float32 arithmetic: the scales rounded once, each product rounded
  const f = Math.fround(inverseOrZero(firstScale));
  const s = Math.fround(inverseOrZero(secondScale));
  for (let i = 0; i < length; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    const x = Math.fround(first[i]! * f);
    const y = Math.fround(second[i]! * s);
    out[i] = x < y ? x : y;
  }
}

/**
 * Everything the one-pass change kernels need of a scene pair. Field meanings are those of the
 * separate kernels: `bands` as in all of them; nodata as in andValidMask (per epoch, null for
 * none); beforeMean/beforeStd/afterMean/afterStd as in changeVectorMagnitude (and whitenedChiScore);
 * whiten as whitenedChiScore's (row-major bands×bands, lower triangular); cvaMedian and madMedian as
 * fuseMinScaled's firstScale and secondScale.
 * (The detection ScoreModel has all of these fields, so it can be passed as it is.)
 */
export interface ChangePassParams {
  bands: number;
  nodataBefore: number | null;
  nodataAfter: number | null;
  beforeMean: Float64Array;
  beforeStd: Float64Array;
  afterMean: Float64Array;
  afterStd: Float64Array;
  whiten: Float64Array;
  cvaMedian: number;
  madMedian: number;
}

/** 1/x for a usable positive finite x, else 0 (the rule of changeVectorMagnitude and fuseMinScaled). */
function inverseOrZero(x: number): number {
  return x > 0 && x < Infinity ? 1 / x : 0;
}

/**
 * Constants of one pass: the K_* header, then, from K_HEADER on, beforeMean, 1/beforeStd, afterMean,
 * 1/afterStd (each `bands` long) and the lower triangle of `whiten`, row by row (constantOffsets,
 * triangleIndex). The generated cue steps read fixed indices of this layout. Everything from
 * K_CVA_SCALE on is rounded to float32, as the separate kernels round their constants (inverses taken in
 * float64 first). Nodata is stored as the sample type compares it: rounded to float32 for float32 samples
 * (as andValidMask does), as given for integer and float64 samples.
 */
function packConstants(p: ChangePassParams, before: ChangeSamples, after: ChangeSamples): Float64Array {
  const n = p.bands;
  const c = new Float64Array(constantsLength(n));
  const o = constantOffsets(n);
  const nodataAs = (nodata: number | null, samples: ChangeSamples): number =>
    nodata === null ? NaN : samples instanceof Float32Array ? Math.fround(nodata) : nodata;
  c[K_NODATA_BEFORE] = nodataAs(p.nodataBefore, before);
  c[K_NODATA_AFTER] = nodataAs(p.nodataAfter, after);
  c[K_CVA_SCALE] = inverseOrZero(p.cvaMedian);
  c[K_MAD_SCALE] = inverseOrZero(p.madMedian);
  c[K_INVERSE_BANDS] = 1 / n;
  for (let b = 0; b < n; b++) {
    c[o.bm + b] = p.beforeMean[b];
    c[o.bs + b] = inverseOrZero(p.beforeStd[b]);
    c[o.am + b] = p.afterMean[b];
    c[o.as + b] = inverseOrZero(p.afterStd[b]);
  }
  for (let k = 0; k < n; k++) for (let j = 0; j <= k; j++) c[o.T + triangleIndex(k, j)] = p.whiten[k * n + j];
  for (let k = K_CVA_SCALE; k < c.length; k++) c[k] = Math.fround(c[k]);
  return c;
}

const SAMPLE_TYPES = [Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, Int32Array, Float32Array, Float64Array];

function requireSamples(name: string, samples: unknown): void {
  if (!SAMPLE_TYPES.some((type) => samples instanceof type)) {
    throw new TypeError(`${name} must be a Uint8/Int8/Uint16/Int16/Uint32/Int32/Float32/Float64Array`);
  }
}

function checkPass(
  before: ChangeSamples,
  after: ChangeSamples,
  width: number,
  height: number,
  p: ChangePassParams,
  excluded: Uint8Array | null,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', p.bands, 1, 64);
  requireSamples('before', before);
  requireSamples('after', after);
  const bands = p.bands;
  const pixels = width * height;
  requireLength('before', before, bands * pixels);
  requireLength('after', after, bands * pixels);
  if (excluded !== null) requireLength('excluded', excluded, pixels);
  requireLength('beforeMean', p.beforeMean, bands);
  requireLength('beforeStd', p.beforeStd, bands);
  requireLength('afterMean', p.afterMean, bands);
  requireLength('afterStd', p.afterStd, bands);
  requireLength('whiten', p.whiten, bands * bands);
}

let simdEnabled = true;

/**
 * Whether changeCues and changeScores may use the WebAssembly SIMD kernels (change-pass-simd.ts; the
 * default, where the engine supports SIMD and the pass has 1–16 bands of 8- or 16-bit integer or
 * float32 samples) or always take the scalar path. Both write the same bytes; the switch exists for the
 * tests and the benchmark, which compare them.
 */
export function setChangePassSimd(enabled: boolean): void {
  simdEnabled = enabled;
}

function useSimd(before: ChangeSamples, after: ChangeSamples, bands: number): boolean {
  return simdEnabled && simdPassAvailable(before, after, bands);
}

/** Scratch rows of the any-band-count cue step. */
interface GenericScratch {
  sumSq: Float64Array;
  /** the change vector d, band by band */
  difference: Float64Array;
  featureRow: Float64Array;
  zRow: Float64Array;
}

function genericScratch(width: number, bands: number): GenericScratch {
  return {
    sumSq: new Float64Array(width),
    difference: new Float64Array(width * bands),
    featureRow: new Float64Array(width),
    zRow: new Float64Array(width),
  };
}

/**
 * The cue step of one row, any band count: row-buffered and band-outer (each band plane is read
 * as a sequential stream), each pixel's sums still running over bands and whitened features in the
 * separate kernels' order, in float32 (each result rounded), so results are bit-identical to them.
 */
function cueRowGeneric(
  before: ChangeSamples,
  after: ChangeSamples,
  p0: number,
  pixels: number,
  width: number,
  bands: number,
  c: Float64Array,
  g: GenericScratch,
  excluded: Uint8Array | null,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const { sumSq, difference, featureRow, zRow } = g;
  const ndB = c[K_NODATA_BEFORE];
  const ndA = c[K_NODATA_AFTER];
  const o = constantOffsets(bands);
  const fr = Math.fround;
  validRow.fill(1, 1, width + 1);
  for (let b = 0; b < bands; b++) {
    const plane = b * pixels + p0;
    for (let x = 0; x < width; x++) {
      const v = before[plane + x];
      const w = after[plane + x];
      if (v - v !== 0 || v === ndB || w - w !== 0 || w === ndA) validRow[x + 1] = 0;
    }
  }
  if (excluded !== null) {
    for (let x = 0; x < width; x++) if (excluded[p0 + x] !== 0) validRow[x + 1] = 0;
  }
  sumSq.fill(0);
  for (let b = 0; b < bands; b++) {
    const plane = b * pixels + p0;
    const bMean = c[o.bm + b];
    const bScale = c[o.bs + b];
    const aMean = c[o.am + b];
    const aScale = c[o.as + b];
    const row = b * width;
    for (let x = 0; x < width; x++) {
      // samples as float32 (exact for 8/16-bit integers and float32 samples)
      const v = fr(before[plane + x]);
      const w = fr(after[plane + x]);
      const d = fr(fr(fr(w - aMean) * aScale) - fr(fr(v - bMean) * bScale));
      sumSq[x] = fr(sumSq[x] + fr(d * d));
      difference[row + x] = d;
    }
  }
  for (let k = 0; k < bands; k++) {
    const t0 = c[o.T + triangleIndex(k, 0)];
    for (let x = 0; x < width; x++) featureRow[x] = fr(t0 * difference[x]);
    for (let j = 1; j <= k; j++) {
      const tKj = c[o.T + triangleIndex(k, j)];
      const row = j * width;
      for (let x = 0; x < width; x++) featureRow[x] = fr(featureRow[x] + fr(tKj * difference[row + x]));
    }
    if (k === 0) for (let x = 0; x < width; x++) zRow[x] = fr(featureRow[x] * featureRow[x]);
    else for (let x = 0; x < width; x++) zRow[x] = fr(zRow[x] + fr(featureRow[x] * featureRow[x]));
  }
  const inverseBands = c[K_INVERSE_BANDS];
  const f = c[K_CVA_SCALE];
  const s = c[K_MAD_SCALE];
  for (let x = 0; x < width; x++) {
    if (validRow[x + 1] !== 1) {
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    const cva = fr(Math.sqrt(fr(sumSq[x] * inverseBands)));
    const mad = fr(Math.sqrt(fr(zRow[x] * inverseBands)));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = fr(cva * f);
    const fy = fr(mad * s);
    fusedRow[x + 1] = fx < fy ? fx : fy;
  }
}

/** The cue step of a pass: a generated one (see change-pass-rows.ts), or the looped one for many bands. */
interface RowStep {
  generated: CueRowStep | null;
  scratch: GenericScratch | null;
}

function rowStep(bands: number, width: number, before: ChangeSamples, after: ChangeSamples, excluded: Uint8Array | null): RowStep {
  if (bands <= MAX_GENERATED_BANDS) return { generated: cueRowStep(bands, before, after, excluded !== null), scratch: null };
  return { generated: null, scratch: genericScratch(width, bands) };
}

/** Runs the cue step of image row y (outputs: see CueRowStep). */
function cueRow(
  step: RowStep,
  before: ChangeSamples,
  after: ChangeSamples,
  y: number,
  width: number,
  height: number,
  bands: number,
  c: Float64Array,
  excluded: Uint8Array | null,
  withCues: boolean,
  cva: Float32Array,
  mad: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const pixels = width * height;
  const p0 = y * width;
  if (step.generated !== null) step.generated(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow, excluded);
  else cueRowGeneric(before, after, p0, pixels, width, bands, c, step.scratch!, excluded, withCues, cva, mad, fusedRow, validRow);
}

/**
 * One pass for the validity mask and both change cues: writes exactly what `valid.fill(1)`,
 * andValidMask (before, nodataBefore), andValidMask (after, nodataAfter), changeVectorMagnitude
 * (→ cva) and whitenedChiScore (→ mad) write, bit for bit, reading each input sample once. Layout as
 * those kernels: planar `before`/`after` with `params.bands` bands, in the raster's own sample type
 * (ChangeSamples; integer samples give what their float32 conversion gives); `valid` Uint8Array,
 * `cva`/`mad` Float32Array, each width*height and fully written. Invalid pixels → 0.
 * `excluded` (optional, Uint8Array(width*height)): pixels with a non-zero value are invalid too
 * (e.g. a cloud mask; integer samples cannot carry NaN), as if ANDed into `valid` before the cues.
 */
export function changeCues(
  before: ChangeSamples,
  after: ChangeSamples,
  width: number,
  height: number,
  params: ChangePassParams,
  valid: Uint8Array,
  cva: Float32Array,
  mad: Float32Array,
  excluded: Uint8Array | null = null,
): void {
  checkPass(before, after, width, height, params, excluded);
  const pixels = width * height;
  requireLength('valid', valid, pixels);
  requireLength('cva', cva, pixels);
  requireLength('mad', mad, pixels);
  const bands = params.bands;
  const c = packConstants(params, before, after);
  if (useSimd(before, after, bands)) {
    const input = { before, after, width, height, bands, nodataBefore: params.nodataBefore, nodataAfter: params.nodataAfter, constants: c, excluded };
    simdChangePass(input, valid, null, cva, mad);
    return;
  }
  const step = rowStep(bands, width, before, after, excluded);
  const fusedRow = new Float64Array(width + 2);
  const validRow = new Uint8Array(width + 2);
  for (let y = 0; y < height; y++) {
    cueRow(step, before, after, y, width, height, bands, c, excluded, true, cva, mad, fusedRow, validRow);
    valid.set(validRow.subarray(1, width + 1), y * width);
  }
}

/**
 * The whole per-pixel change pass in one sweep over the rows: writes exactly what changeCues,
 * then fuseMinScaled (cva, mad, cvaMedian, madMedian) and boxMean3x3 of the fused score write,
 * bit for bit: `valid` (Uint8Array(width*height), 1 valid / 0 invalid) and `score`
 * (Float32Array(width*height): the mean of the fused minimum over the valid pixels of the 3×3
 * neighbourhood inside the array, 0 where invalid). Nothing but `valid` and `score` is written at
 * full size: the cues and the fused score live in a few row buffers. Sample types and `excluded`
 * as changeCues. With `decision`, also the per-pixel decision: decision.out[i] = 1 where valid[i] is 1
 * and score[i] ≥ decision.threshold, else 0 (the SIMD kernel decides in the same sweep, while the row is
 * in its registers, rather than in a JavaScript loop over the window afterwards).
 */
export function changeScores(
  before: ChangeSamples,
  after: ChangeSamples,
  width: number,
  height: number,
  params: ChangePassParams,
  valid: Uint8Array,
  score: Float32Array,
  excluded: Uint8Array | null = null,
  decision: ScoreDecision | null = null,
): void {
  checkPass(before, after, width, height, params, excluded);
  const pixels = width * height;
  requireLength('valid', valid, pixels);
  requireLength('score', score, pixels);
  if (decision !== null) requireLength('decision', decision.out, pixels);
  if (pixels === 0) return;
  const bands = params.bands;
  const c = packConstants(params, before, after);
  if (useSimd(before, after, bands)) {
    const input = { before, after, width, height, bands, nodataBefore: params.nodataBefore, nodataAfter: params.nodataAfter, constants: c, excluded };
    simdChangePass(input, valid, score, null, null, decision);
    return;
  }
  scalarChangeScores(before, after, width, height, bands, c, excluded, valid, score);
  if (decision !== null) thresholdScores(valid, score, pixels, decision.threshold, decision.out);
}

/** Where a pass writes its per-pixel decision as it scores: out[i] = 1 where valid and score ≥ threshold, else 0. */
export interface ScoreDecision {
  threshold: number;
  out: Uint8Array;
}

/**
 * The per-pixel decision of a scored window: out[i] = 1 where valid[i] is 1 and score[i] ≥ threshold,
 * else 0. (The SIMD change pass writes the same bytes as it scores.)
 */
export function thresholdScores(valid: Uint8Array, score: Float32Array, pixels: number, threshold: number, out: Uint8Array): void {
  for (let i = 0; i < pixels; i++) out[i] = valid[i] === 1 && score[i]! >= threshold ? 1 : 0;
}

/** changeScores on the scalar step (change-pass-rows.ts): engines without SIMD, other sample types. */
function scalarChangeScores(
  before: ChangeSamples,
  after: ChangeSamples,
  width: number,
  height: number,
  bands: number,
  c: Float64Array,
  excluded: Uint8Array | null,
  valid: Uint8Array,
  score: Float32Array,
): void {
  const step = rowStep(bands, width, before, after, excluded);
  const none = new Float32Array(0); // cue outputs, unused (withCues false)
  // Three zero-padded fused/validity rows, cycled (row y lives in slot y % 3), and an all-zero row
  // standing for the rows above the top and below the bottom.
  const fusedRows = [new Float64Array(width + 2), new Float64Array(width + 2), new Float64Array(width + 2)];
  const validRows = [new Uint8Array(width + 2), new Uint8Array(width + 2), new Uint8Array(width + 2)];
  const zeroFused = new Float64Array(width + 2);
  const zeroValid = new Uint8Array(width + 2);
  cueRow(step, before, after, 0, width, height, bands, c, excluded, false, none, none, fusedRows[0], validRows[0]);
  for (let y = 0; y < height; y++) {
    const hasNext = y + 1 < height;
    if (hasNext) cueRow(step, before, after, y + 1, width, height, bands, c, excluded, false, none, none, fusedRows[(y + 1) % 3], validRows[(y + 1) % 3]);
    const previous = (y + 2) % 3;
    boxRow(
      y > 0 ? fusedRows[previous] : zeroFused,
      fusedRows[y % 3],
      hasNext ? fusedRows[(y + 1) % 3] : zeroFused,
      y > 0 ? validRows[previous] : zeroValid,
      validRows[y % 3],
      hasNext ? validRows[(y + 1) % 3] : zeroValid,
      width,
      valid,
      score,
      y * width,
    );
  }
}

/**
 * One output row of the valid-only 3×3 mean from three zero-padded rows (index x+1 = pixel x).
 * The sum runs over the neighbourhood in boxMean3x3's order (row above, own row, row below; left
 * to right) in float32; invalid and outside neighbours hold +0, and adding +0 to a sum that started
 * at +0 changes nothing, so the sum is bit-identical. Values are loaded once, one column per step.
 * Also copies the row's validity out to `valid`.
 */
function boxRow(
  fp: Float64Array,
  fc: Float64Array,
  fn: Float64Array,
  vp: Uint8Array,
  vc: Uint8Array,
  vn: Uint8Array,
  width: number,
  valid: Uint8Array,
  out: Float32Array,
  o: number,
): void {
  const fr = Math.fround;
  // columns x-1 (l), x (m), x+1 (r) of the three rows; valid counts per column
  let pl = fp[0], pm = fp[1];
  let cl = fc[0], cm = fc[1];
  let nl = fn[0], nm = fn[1];
  let kl = vp[0] + vc[0] + vn[0];
  let km = vp[1] + vc[1] + vn[1];
  let centre = vc[1];
  for (let x = 0; x < width; x++) {
    const pr = fp[x + 2];
    const cr = fc[x + 2];
    const nr = fn[x + 2];
    const right = vc[x + 2];
    const kr = vp[x + 2] + right + vn[x + 2];
    valid[o + x] = centre;
    if (centre === 1) {
      const sum = fr(fr(fr(fr(fr(fr(fr(fr(fr(0 + pl) + pm) + pr) + cl) + cm) + cr) + nl) + nm) + nr);
      out[o + x] = sum / (kl + km + kr);
    } else {
      out[o + x] = 0;
    }
    pl = pm;
    pm = pr;
    cl = cm;
    cm = cr;
    nl = nm;
    nm = nr;
    kl = km;
    km = kr;
    centre = right;
  }
}
