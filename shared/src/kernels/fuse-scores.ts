/**
 * Fuses two change scores by the minimum of their scaled values: a pixel scores high only when both
 * cues agree. Layout: `first`, `second`, `out` Float32Array(width*height); `valid` Uint8Array.
 * Each score is first divided by its typical value over the scene pair (its median), so both are in
 * "multiples of typical change" and comparable. Invalid pixels → 0.
 *
 * Why the minimum: the z-scored change vector reacts to any spectral difference (including
 * calibration and band-mixing differences), IR-MAD to departures from the pair's correlation
 * structure (including noise in weakly correlated bands); their false alarms differ, real change
 * raises both, so the conjunction suppresses each cue's own false alarms.
 *
 * Also here: changeCues and changeScores, the whole per-pixel change pass (validity, both cues, this
 * fusion and the valid 3×3 mean) in one sweep over the rows, bit-identical to the separate kernels.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

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
  const f = firstScale > 0 && firstScale < Infinity ? 1 / firstScale : 0;
  const s = secondScale > 0 && secondScale < Infinity ? 1 / secondScale : 0;
  for (let i = 0; i < length; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    const x = first[i]! * f;
    const y = second[i]! * s;
    out[i] = x < y ? x : y;
  }
}

/**
 * Everything the one-pass change kernels need of a scene pair. Field meanings are those of the
 * separate kernels: `bands` as in all of them; nodata as in andValidMask (per epoch, null for
 * none); beforeMean/beforeStd/afterMean/afterStd as in changeVectorMagnitude; madMeanBefore,
 * madMeanAfter, madA, madB, madInverseVariance as madChiScore's meanBefore, meanAfter, a, b,
 * inverseVariance; cvaMedian and madMedian as fuseMinScaled's firstScale and secondScale.
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
  madMeanBefore: Float64Array;
  madMeanAfter: Float64Array;
  madA: Float64Array;
  madB: Float64Array;
  madInverseVariance: Float64Array;
  cvaMedian: number;
  madMedian: number;
}

/** 1/x for a usable positive finite x, else 0 (the rule of changeVectorMagnitude and fuseMinScaled). */
function inverseOrZero(x: number): number {
  return x > 0 && x < Infinity ? 1 / x : 0;
}

// Packed constants (Float64Array, so the hot loops read raw doubles, never tagged values).
const K_NODATA_BEFORE = 0; // float32 nodata, NaN for none (`v === NaN` is never true)
const K_NODATA_AFTER = 1;
const K_CVA_SCALE = 2; // 1/cvaMedian or 0
const K_MAD_SCALE = 3; // 1/madMedian or 0
const K_INVERSE_BANDS = 4;
const K_HEADER = 5;

/**
 * Constants of one pass: the K_* header, then, from K_HEADER on, beforeMean, 1/beforeStd,
 * afterMean, 1/afterStd, madMeanBefore, madMeanAfter (each `bands` long), madA, madB (bands² each,
 * row-major), madInverseVariance (bands). The unrolled cue steps read fixed indices of this layout.
 */
function packConstants(p: ChangePassParams): Float64Array {
  const n = p.bands;
  const c = new Float64Array(K_HEADER + 7 * n + 2 * n * n);
  c[K_NODATA_BEFORE] = p.nodataBefore === null ? NaN : Math.fround(p.nodataBefore);
  c[K_NODATA_AFTER] = p.nodataAfter === null ? NaN : Math.fround(p.nodataAfter);
  c[K_CVA_SCALE] = inverseOrZero(p.cvaMedian);
  c[K_MAD_SCALE] = inverseOrZero(p.madMedian);
  c[K_INVERSE_BANDS] = 1 / n;
  let o = K_HEADER;
  for (let b = 0; b < n; b++) c[o + b] = p.beforeMean[b];
  o += n;
  for (let b = 0; b < n; b++) c[o + b] = inverseOrZero(p.beforeStd[b]);
  o += n;
  for (let b = 0; b < n; b++) c[o + b] = p.afterMean[b];
  o += n;
  for (let b = 0; b < n; b++) c[o + b] = inverseOrZero(p.afterStd[b]);
  o += n;
  for (let b = 0; b < n; b++) c[o + b] = p.madMeanBefore[b];
  o += n;
  for (let b = 0; b < n; b++) c[o + b] = p.madMeanAfter[b];
  o += n;
  for (let k = 0; k < n * n; k++) c[o + k] = p.madA[k];
  o += n * n;
  for (let k = 0; k < n * n; k++) c[o + k] = p.madB[k];
  o += n * n;
  for (let b = 0; b < n; b++) c[o + b] = p.madInverseVariance[b];
  return c;
}

function checkPass(before: Float32Array, after: Float32Array, width: number, height: number, p: ChangePassParams): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', p.bands, 1, 64);
  const bands = p.bands;
  const pixels = width * height;
  requireLength('before', before, bands * pixels);
  requireLength('after', after, bands * pixels);
  requireLength('beforeMean', p.beforeMean, bands);
  requireLength('beforeStd', p.beforeStd, bands);
  requireLength('afterMean', p.afterMean, bands);
  requireLength('afterStd', p.afterStd, bands);
  requireLength('madMeanBefore', p.madMeanBefore, bands);
  requireLength('madMeanAfter', p.madMeanAfter, bands);
  requireLength('madA', p.madA, bands * bands);
  requireLength('madB', p.madB, bands * bands);
  requireLength('madInverseVariance', p.madInverseVariance, bands);
}

/*
 * Row outputs of the cue step, for image row y (pixels p0 … p0+width-1, p0 = y*width), in
 * zero-padded rows for the 3×3 step (index x+1 = pixel x; index 0 and width+1 are never written,
 * so they stay 0): validRow (0/1) and fusedRow (the fused minimum, float32-rounded, 0 where
 * invalid). With `withCues`, also cva[p0+x] and mad[p0+x] (the float32 cues, 0 where invalid).
 */

/**
 * The cue step of one row, 4 bands, pixel by pixel with every constant in a local. Each pixel's
 * arithmetic is exactly that of andValidMask + changeVectorMagnitude + madChiScore + fuseMinScaled,
 * operation for operation in the same order (so results are bit-identical); the only rewrites are
 * `0 + t` → `t` where t cannot be −0 or where the sign of a zero cannot survive (it is squared).
 */
function cueRow4(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7], bm3 = c[8];
  const bs0 = c[9], bs1 = c[10], bs2 = c[11], bs3 = c[12];
  const am0 = c[13], am1 = c[14], am2 = c[15], am3 = c[16];
  const as0 = c[17], as1 = c[18], as2 = c[19], as3 = c[20];
  const mb0 = c[21], mb1 = c[22], mb2 = c[23], mb3 = c[24];
  const ma0 = c[25], ma1 = c[26], ma2 = c[27], ma3 = c[28];
  const A00 = c[29], A01 = c[30], A02 = c[31], A03 = c[32];
  const A10 = c[33], A11 = c[34], A12 = c[35], A13 = c[36];
  const A20 = c[37], A21 = c[38], A22 = c[39], A23 = c[40];
  const A30 = c[41], A31 = c[42], A32 = c[43], A33 = c[44];
  const B00 = c[45], B01 = c[46], B02 = c[47], B03 = c[48];
  const B10 = c[49], B11 = c[50], B12 = c[51], B13 = c[52];
  const B20 = c[53], B21 = c[54], B22 = c[55], B23 = c[56];
  const B30 = c[57], B31 = c[58], B32 = c[59], B33 = c[60];
  const iv0 = c[61], iv1 = c[62], iv2 = c[63], iv3 = c[64];
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x], b3 = before[p3 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x], a3 = after[p3 + x];
    // Eight float32 samples sum to a finite float64 exactly when all are finite (it cannot overflow).
    const t = b0 + b1 + b2 + b3 + (a0 + a1 + a2 + a3);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || b3 === ndB || a0 === ndA || a1 === ndA || a2 === ndA || a3 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    // changeVectorMagnitude: Σ_b d_b² over bands in order (its row accumulator starts at +0; d² ≥ +0).
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const d3 = (a3 - am3) * as3 - (b3 - bm3) * bs3;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3) * 0.25));
    // madChiScore: MAD_k = Σ_j (a_kj·u_j − b_kj·w_j) in j order, Z = Σ_k MAD_k²·iv_k in k order.
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2, u3 = b3 - mb3;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2, w3 = a3 - ma3;
    const m0 = A00 * u0 - B00 * w0 + (A01 * u1 - B01 * w1) + (A02 * u2 - B02 * w2) + (A03 * u3 - B03 * w3);
    const m1 = A10 * u0 - B10 * w0 + (A11 * u1 - B11 * w1) + (A12 * u2 - B12 * w2) + (A13 * u3 - B13 * w3);
    const m2 = A20 * u0 - B20 * w0 + (A21 * u1 - B21 * w1) + (A22 * u2 - B22 * w2) + (A23 * u3 - B23 * w3);
    const m3 = A30 * u0 - B30 * w0 + (A31 * u1 - B31 * w1) + (A32 * u2 - B32 * w2) + (A33 * u3 - B33 * w3);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * iv0 + m1 * m1 * iv1 + m2 * m2 * iv2 + m3 * m3 * iv3) * 0.25));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    // fuseMinScaled
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

// The per-pixel cue steps of other common band counts (RGB, Landsat TM/ETM+/OLI and
// Sentinel-2 evidence sets), the same template written out for each count.

// prettier-ignore
/** The cue step of one row, 3 bands: generated from the same template as cueRow4 (see there). */
function cueRow3(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3], inverseBands = c[4];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7];
  const bs0 = c[8], bs1 = c[9], bs2 = c[10];
  const am0 = c[11], am1 = c[12], am2 = c[13];
  const as0 = c[14], as1 = c[15], as2 = c[16];
  const mb0 = c[17], mb1 = c[18], mb2 = c[19];
  const ma0 = c[20], ma1 = c[21], ma2 = c[22];
  const A0_0 = c[23], A0_1 = c[24], A0_2 = c[25];
  const A1_0 = c[26], A1_1 = c[27], A1_2 = c[28];
  const A2_0 = c[29], A2_1 = c[30], A2_2 = c[31];
  const B0_0 = c[32], B0_1 = c[33], B0_2 = c[34];
  const B1_0 = c[35], B1_1 = c[36], B1_2 = c[37];
  const B2_0 = c[38], B2_1 = c[39], B2_2 = c[40];
  const iv0 = c[41], iv1 = c[42], iv2 = c[43];
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x];
    const t = b0 + b1 + b2 + (a0 + a1 + a2);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || a0 === ndA || a1 === ndA || a2 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2) * inverseBands));
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2;
    const m0 = A0_0 * u0 - B0_0 * w0 + (A0_1 * u1 - B0_1 * w1) + (A0_2 * u2 - B0_2 * w2);
    const m1 = A1_0 * u0 - B1_0 * w0 + (A1_1 * u1 - B1_1 * w1) + (A1_2 * u2 - B1_2 * w2);
    const m2 = A2_0 * u0 - B2_0 * w0 + (A2_1 * u1 - B2_1 * w1) + (A2_2 * u2 - B2_2 * w2);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * iv0 + m1 * m1 * iv1 + m2 * m2 * iv2) * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

// prettier-ignore
/** The cue step of one row, 5 bands: generated from the same template as cueRow4 (see there). */
function cueRow5(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3], inverseBands = c[4];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7], bm3 = c[8], bm4 = c[9];
  const bs0 = c[10], bs1 = c[11], bs2 = c[12], bs3 = c[13], bs4 = c[14];
  const am0 = c[15], am1 = c[16], am2 = c[17], am3 = c[18], am4 = c[19];
  const as0 = c[20], as1 = c[21], as2 = c[22], as3 = c[23], as4 = c[24];
  const mb0 = c[25], mb1 = c[26], mb2 = c[27], mb3 = c[28], mb4 = c[29];
  const ma0 = c[30], ma1 = c[31], ma2 = c[32], ma3 = c[33], ma4 = c[34];
  // (the MAD coefficients are read from c in the loop: as locals there would be too many to keep)
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  const p4 = p3 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x], b3 = before[p3 + x], b4 = before[p4 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x], a3 = after[p3 + x], a4 = after[p4 + x];
    const t = b0 + b1 + b2 + b3 + b4 + (a0 + a1 + a2 + a3 + a4);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || b3 === ndB || b4 === ndB || a0 === ndA || a1 === ndA || a2 === ndA || a3 === ndA || a4 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const d3 = (a3 - am3) * as3 - (b3 - bm3) * bs3;
    const d4 = (a4 - am4) * as4 - (b4 - bm4) * bs4;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4) * inverseBands));
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2, u3 = b3 - mb3, u4 = b4 - mb4;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2, w3 = a3 - ma3, w4 = a4 - ma4;
    const m0 = c[35] * u0 - c[60] * w0 + (c[36] * u1 - c[61] * w1) + (c[37] * u2 - c[62] * w2) + (c[38] * u3 - c[63] * w3) + (c[39] * u4 - c[64] * w4);
    const m1 = c[40] * u0 - c[65] * w0 + (c[41] * u1 - c[66] * w1) + (c[42] * u2 - c[67] * w2) + (c[43] * u3 - c[68] * w3) + (c[44] * u4 - c[69] * w4);
    const m2 = c[45] * u0 - c[70] * w0 + (c[46] * u1 - c[71] * w1) + (c[47] * u2 - c[72] * w2) + (c[48] * u3 - c[73] * w3) + (c[49] * u4 - c[74] * w4);
    const m3 = c[50] * u0 - c[75] * w0 + (c[51] * u1 - c[76] * w1) + (c[52] * u2 - c[77] * w2) + (c[53] * u3 - c[78] * w3) + (c[54] * u4 - c[79] * w4);
    const m4 = c[55] * u0 - c[80] * w0 + (c[56] * u1 - c[81] * w1) + (c[57] * u2 - c[82] * w2) + (c[58] * u3 - c[83] * w3) + (c[59] * u4 - c[84] * w4);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * c[85] + m1 * m1 * c[86] + m2 * m2 * c[87] + m3 * m3 * c[88] + m4 * m4 * c[89]) * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

// prettier-ignore
/** The cue step of one row, 6 bands: generated from the same template as cueRow4 (see there). */
function cueRow6(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3], inverseBands = c[4];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7], bm3 = c[8], bm4 = c[9], bm5 = c[10];
  const bs0 = c[11], bs1 = c[12], bs2 = c[13], bs3 = c[14], bs4 = c[15], bs5 = c[16];
  const am0 = c[17], am1 = c[18], am2 = c[19], am3 = c[20], am4 = c[21], am5 = c[22];
  const as0 = c[23], as1 = c[24], as2 = c[25], as3 = c[26], as4 = c[27], as5 = c[28];
  const mb0 = c[29], mb1 = c[30], mb2 = c[31], mb3 = c[32], mb4 = c[33], mb5 = c[34];
  const ma0 = c[35], ma1 = c[36], ma2 = c[37], ma3 = c[38], ma4 = c[39], ma5 = c[40];
  // (the MAD coefficients are read from c in the loop: as locals there would be too many to keep)
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  const p4 = p3 + pixels;
  const p5 = p4 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x], b3 = before[p3 + x], b4 = before[p4 + x], b5 = before[p5 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x], a3 = after[p3 + x], a4 = after[p4 + x], a5 = after[p5 + x];
    const t = b0 + b1 + b2 + b3 + b4 + b5 + (a0 + a1 + a2 + a3 + a4 + a5);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || b3 === ndB || b4 === ndB || b5 === ndB || a0 === ndA || a1 === ndA || a2 === ndA || a3 === ndA || a4 === ndA || a5 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const d3 = (a3 - am3) * as3 - (b3 - bm3) * bs3;
    const d4 = (a4 - am4) * as4 - (b4 - bm4) * bs4;
    const d5 = (a5 - am5) * as5 - (b5 - bm5) * bs5;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5) * inverseBands));
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2, u3 = b3 - mb3, u4 = b4 - mb4, u5 = b5 - mb5;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2, w3 = a3 - ma3, w4 = a4 - ma4, w5 = a5 - ma5;
    const m0 = c[41] * u0 - c[77] * w0 + (c[42] * u1 - c[78] * w1) + (c[43] * u2 - c[79] * w2) + (c[44] * u3 - c[80] * w3) + (c[45] * u4 - c[81] * w4) + (c[46] * u5 - c[82] * w5);
    const m1 = c[47] * u0 - c[83] * w0 + (c[48] * u1 - c[84] * w1) + (c[49] * u2 - c[85] * w2) + (c[50] * u3 - c[86] * w3) + (c[51] * u4 - c[87] * w4) + (c[52] * u5 - c[88] * w5);
    const m2 = c[53] * u0 - c[89] * w0 + (c[54] * u1 - c[90] * w1) + (c[55] * u2 - c[91] * w2) + (c[56] * u3 - c[92] * w3) + (c[57] * u4 - c[93] * w4) + (c[58] * u5 - c[94] * w5);
    const m3 = c[59] * u0 - c[95] * w0 + (c[60] * u1 - c[96] * w1) + (c[61] * u2 - c[97] * w2) + (c[62] * u3 - c[98] * w3) + (c[63] * u4 - c[99] * w4) + (c[64] * u5 - c[100] * w5);
    const m4 = c[65] * u0 - c[101] * w0 + (c[66] * u1 - c[102] * w1) + (c[67] * u2 - c[103] * w2) + (c[68] * u3 - c[104] * w3) + (c[69] * u4 - c[105] * w4) + (c[70] * u5 - c[106] * w5);
    const m5 = c[71] * u0 - c[107] * w0 + (c[72] * u1 - c[108] * w1) + (c[73] * u2 - c[109] * w2) + (c[74] * u3 - c[110] * w3) + (c[75] * u4 - c[111] * w4) + (c[76] * u5 - c[112] * w5);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * c[113] + m1 * m1 * c[114] + m2 * m2 * c[115] + m3 * m3 * c[116] + m4 * m4 * c[117] + m5 * m5 * c[118]) * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

// prettier-ignore
/** The cue step of one row, 7 bands: generated from the same template as cueRow4 (see there). */
function cueRow7(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3], inverseBands = c[4];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7], bm3 = c[8], bm4 = c[9], bm5 = c[10], bm6 = c[11];
  const bs0 = c[12], bs1 = c[13], bs2 = c[14], bs3 = c[15], bs4 = c[16], bs5 = c[17], bs6 = c[18];
  const am0 = c[19], am1 = c[20], am2 = c[21], am3 = c[22], am4 = c[23], am5 = c[24], am6 = c[25];
  const as0 = c[26], as1 = c[27], as2 = c[28], as3 = c[29], as4 = c[30], as5 = c[31], as6 = c[32];
  const mb0 = c[33], mb1 = c[34], mb2 = c[35], mb3 = c[36], mb4 = c[37], mb5 = c[38], mb6 = c[39];
  const ma0 = c[40], ma1 = c[41], ma2 = c[42], ma3 = c[43], ma4 = c[44], ma5 = c[45], ma6 = c[46];
  // (the MAD coefficients are read from c in the loop: as locals there would be too many to keep)
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  const p4 = p3 + pixels;
  const p5 = p4 + pixels;
  const p6 = p5 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x], b3 = before[p3 + x], b4 = before[p4 + x], b5 = before[p5 + x], b6 = before[p6 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x], a3 = after[p3 + x], a4 = after[p4 + x], a5 = after[p5 + x], a6 = after[p6 + x];
    const t = b0 + b1 + b2 + b3 + b4 + b5 + b6 + (a0 + a1 + a2 + a3 + a4 + a5 + a6);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || b3 === ndB || b4 === ndB || b5 === ndB || b6 === ndB || a0 === ndA || a1 === ndA || a2 === ndA || a3 === ndA || a4 === ndA || a5 === ndA || a6 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const d3 = (a3 - am3) * as3 - (b3 - bm3) * bs3;
    const d4 = (a4 - am4) * as4 - (b4 - bm4) * bs4;
    const d5 = (a5 - am5) * as5 - (b5 - bm5) * bs5;
    const d6 = (a6 - am6) * as6 - (b6 - bm6) * bs6;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6) * inverseBands));
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2, u3 = b3 - mb3, u4 = b4 - mb4, u5 = b5 - mb5, u6 = b6 - mb6;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2, w3 = a3 - ma3, w4 = a4 - ma4, w5 = a5 - ma5, w6 = a6 - ma6;
    const m0 = c[47] * u0 - c[96] * w0 + (c[48] * u1 - c[97] * w1) + (c[49] * u2 - c[98] * w2) + (c[50] * u3 - c[99] * w3) + (c[51] * u4 - c[100] * w4) + (c[52] * u5 - c[101] * w5) + (c[53] * u6 - c[102] * w6);
    const m1 = c[54] * u0 - c[103] * w0 + (c[55] * u1 - c[104] * w1) + (c[56] * u2 - c[105] * w2) + (c[57] * u3 - c[106] * w3) + (c[58] * u4 - c[107] * w4) + (c[59] * u5 - c[108] * w5) + (c[60] * u6 - c[109] * w6);
    const m2 = c[61] * u0 - c[110] * w0 + (c[62] * u1 - c[111] * w1) + (c[63] * u2 - c[112] * w2) + (c[64] * u3 - c[113] * w3) + (c[65] * u4 - c[114] * w4) + (c[66] * u5 - c[115] * w5) + (c[67] * u6 - c[116] * w6);
    const m3 = c[68] * u0 - c[117] * w0 + (c[69] * u1 - c[118] * w1) + (c[70] * u2 - c[119] * w2) + (c[71] * u3 - c[120] * w3) + (c[72] * u4 - c[121] * w4) + (c[73] * u5 - c[122] * w5) + (c[74] * u6 - c[123] * w6);
    const m4 = c[75] * u0 - c[124] * w0 + (c[76] * u1 - c[125] * w1) + (c[77] * u2 - c[126] * w2) + (c[78] * u3 - c[127] * w3) + (c[79] * u4 - c[128] * w4) + (c[80] * u5 - c[129] * w5) + (c[81] * u6 - c[130] * w6);
    const m5 = c[82] * u0 - c[131] * w0 + (c[83] * u1 - c[132] * w1) + (c[84] * u2 - c[133] * w2) + (c[85] * u3 - c[134] * w3) + (c[86] * u4 - c[135] * w4) + (c[87] * u5 - c[136] * w5) + (c[88] * u6 - c[137] * w6);
    const m6 = c[89] * u0 - c[138] * w0 + (c[90] * u1 - c[139] * w1) + (c[91] * u2 - c[140] * w2) + (c[92] * u3 - c[141] * w3) + (c[93] * u4 - c[142] * w4) + (c[94] * u5 - c[143] * w5) + (c[95] * u6 - c[144] * w6);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * c[145] + m1 * m1 * c[146] + m2 * m2 * c[147] + m3 * m3 * c[148] + m4 * m4 * c[149] + m5 * m5 * c[150] + m6 * m6 * c[151]) * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

// prettier-ignore
/** The cue step of one row, 8 bands: generated from the same template as cueRow4 (see there). */
function cueRow8(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  c: Float64Array,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const ndB = c[0], ndA = c[1], f = c[2], s = c[3], inverseBands = c[4];
  const bm0 = c[5], bm1 = c[6], bm2 = c[7], bm3 = c[8], bm4 = c[9], bm5 = c[10], bm6 = c[11], bm7 = c[12];
  const bs0 = c[13], bs1 = c[14], bs2 = c[15], bs3 = c[16], bs4 = c[17], bs5 = c[18], bs6 = c[19], bs7 = c[20];
  const am0 = c[21], am1 = c[22], am2 = c[23], am3 = c[24], am4 = c[25], am5 = c[26], am6 = c[27], am7 = c[28];
  const as0 = c[29], as1 = c[30], as2 = c[31], as3 = c[32], as4 = c[33], as5 = c[34], as6 = c[35], as7 = c[36];
  const mb0 = c[37], mb1 = c[38], mb2 = c[39], mb3 = c[40], mb4 = c[41], mb5 = c[42], mb6 = c[43], mb7 = c[44];
  const ma0 = c[45], ma1 = c[46], ma2 = c[47], ma3 = c[48], ma4 = c[49], ma5 = c[50], ma6 = c[51], ma7 = c[52];
  // (the MAD coefficients are read from c in the loop: as locals there would be too many to keep)
  const p1 = p0 + pixels;
  const p2 = p1 + pixels;
  const p3 = p2 + pixels;
  const p4 = p3 + pixels;
  const p5 = p4 + pixels;
  const p6 = p5 + pixels;
  const p7 = p6 + pixels;
  for (let x = 0; x < width; x++) {
    const b0 = before[p0 + x], b1 = before[p1 + x], b2 = before[p2 + x], b3 = before[p3 + x], b4 = before[p4 + x], b5 = before[p5 + x], b6 = before[p6 + x], b7 = before[p7 + x];
    const a0 = after[p0 + x], a1 = after[p1 + x], a2 = after[p2 + x], a3 = after[p3 + x], a4 = after[p4 + x], a5 = after[p5 + x], a6 = after[p6 + x], a7 = after[p7 + x];
    const t = b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    if (t - t !== 0 || b0 === ndB || b1 === ndB || b2 === ndB || b3 === ndB || b4 === ndB || b5 === ndB || b6 === ndB || b7 === ndB || a0 === ndA || a1 === ndA || a2 === ndA || a3 === ndA || a4 === ndA || a5 === ndA || a6 === ndA || a7 === ndA) {
      validRow[x + 1] = 0;
      fusedRow[x + 1] = 0;
      if (withCues) {
        cvaOut[p0 + x] = 0;
        madOut[p0 + x] = 0;
      }
      continue;
    }
    validRow[x + 1] = 1;
    const d0 = (a0 - am0) * as0 - (b0 - bm0) * bs0;
    const d1 = (a1 - am1) * as1 - (b1 - bm1) * bs1;
    const d2 = (a2 - am2) * as2 - (b2 - bm2) * bs2;
    const d3 = (a3 - am3) * as3 - (b3 - bm3) * bs3;
    const d4 = (a4 - am4) * as4 - (b4 - bm4) * bs4;
    const d5 = (a5 - am5) * as5 - (b5 - bm5) * bs5;
    const d6 = (a6 - am6) * as6 - (b6 - bm6) * bs6;
    const d7 = (a7 - am7) * as7 - (b7 - bm7) * bs7;
    const cva = Math.fround(Math.sqrt((d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7) * inverseBands));
    const u0 = b0 - mb0, u1 = b1 - mb1, u2 = b2 - mb2, u3 = b3 - mb3, u4 = b4 - mb4, u5 = b5 - mb5, u6 = b6 - mb6, u7 = b7 - mb7;
    const w0 = a0 - ma0, w1 = a1 - ma1, w2 = a2 - ma2, w3 = a3 - ma3, w4 = a4 - ma4, w5 = a5 - ma5, w6 = a6 - ma6, w7 = a7 - ma7;
    const m0 = c[53] * u0 - c[117] * w0 + (c[54] * u1 - c[118] * w1) + (c[55] * u2 - c[119] * w2) + (c[56] * u3 - c[120] * w3) + (c[57] * u4 - c[121] * w4) + (c[58] * u5 - c[122] * w5) + (c[59] * u6 - c[123] * w6) + (c[60] * u7 - c[124] * w7);
    const m1 = c[61] * u0 - c[125] * w0 + (c[62] * u1 - c[126] * w1) + (c[63] * u2 - c[127] * w2) + (c[64] * u3 - c[128] * w3) + (c[65] * u4 - c[129] * w4) + (c[66] * u5 - c[130] * w5) + (c[67] * u6 - c[131] * w6) + (c[68] * u7 - c[132] * w7);
    const m2 = c[69] * u0 - c[133] * w0 + (c[70] * u1 - c[134] * w1) + (c[71] * u2 - c[135] * w2) + (c[72] * u3 - c[136] * w3) + (c[73] * u4 - c[137] * w4) + (c[74] * u5 - c[138] * w5) + (c[75] * u6 - c[139] * w6) + (c[76] * u7 - c[140] * w7);
    const m3 = c[77] * u0 - c[141] * w0 + (c[78] * u1 - c[142] * w1) + (c[79] * u2 - c[143] * w2) + (c[80] * u3 - c[144] * w3) + (c[81] * u4 - c[145] * w4) + (c[82] * u5 - c[146] * w5) + (c[83] * u6 - c[147] * w6) + (c[84] * u7 - c[148] * w7);
    const m4 = c[85] * u0 - c[149] * w0 + (c[86] * u1 - c[150] * w1) + (c[87] * u2 - c[151] * w2) + (c[88] * u3 - c[152] * w3) + (c[89] * u4 - c[153] * w4) + (c[90] * u5 - c[154] * w5) + (c[91] * u6 - c[155] * w6) + (c[92] * u7 - c[156] * w7);
    const m5 = c[93] * u0 - c[157] * w0 + (c[94] * u1 - c[158] * w1) + (c[95] * u2 - c[159] * w2) + (c[96] * u3 - c[160] * w3) + (c[97] * u4 - c[161] * w4) + (c[98] * u5 - c[162] * w5) + (c[99] * u6 - c[163] * w6) + (c[100] * u7 - c[164] * w7);
    const m6 = c[101] * u0 - c[165] * w0 + (c[102] * u1 - c[166] * w1) + (c[103] * u2 - c[167] * w2) + (c[104] * u3 - c[168] * w3) + (c[105] * u4 - c[169] * w4) + (c[106] * u5 - c[170] * w5) + (c[107] * u6 - c[171] * w6) + (c[108] * u7 - c[172] * w7);
    const m7 = c[109] * u0 - c[173] * w0 + (c[110] * u1 - c[174] * w1) + (c[111] * u2 - c[175] * w2) + (c[112] * u3 - c[176] * w3) + (c[113] * u4 - c[177] * w4) + (c[114] * u5 - c[178] * w5) + (c[115] * u6 - c[179] * w6) + (c[116] * u7 - c[180] * w7);
    const mad = Math.fround(Math.sqrt((0 + m0 * m0 * c[181] + m1 * m1 * c[182] + m2 * m2 * c[183] + m3 * m3 * c[184] + m4 * m4 * c[185] + m5 * m5 * c[186] + m6 * m6 * c[187] + m7 * m7 * c[188]) * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}


/** Scratch rows of the any-band-count cue step. */
interface GenericScratch {
  sumSq: Float64Array;
  centredBefore: Float64Array;
  centredAfter: Float64Array;
  madRow: Float64Array;
  zRow: Float64Array;
}

function genericScratch(width: number, bands: number): GenericScratch {
  return {
    sumSq: new Float64Array(width),
    centredBefore: new Float64Array(width * bands),
    centredAfter: new Float64Array(width * bands),
    madRow: new Float64Array(width),
    zRow: new Float64Array(width),
  };
}

/**
 * The cue step of one row, any band count: row-buffered and band-outer (each band plane is read
 * as a sequential stream), each pixel's sums still running over bands and MAD terms in the
 * separate kernels' order, so results are bit-identical to them.
 */
function cueRowGeneric(
  before: Float32Array,
  after: Float32Array,
  p0: number,
  pixels: number,
  width: number,
  bands: number,
  c: Float64Array,
  g: GenericScratch,
  withCues: boolean,
  cvaOut: Float32Array,
  madOut: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const { sumSq, centredBefore, centredAfter, madRow, zRow } = g;
  const ndB = c[K_NODATA_BEFORE];
  const ndA = c[K_NODATA_AFTER];
  const beforeMean = K_HEADER;
  const beforeScale = beforeMean + bands;
  const afterMean = beforeScale + bands;
  const afterScale = afterMean + bands;
  const madMeanBefore = afterScale + bands;
  const madMeanAfter = madMeanBefore + bands;
  const madA = madMeanAfter + bands;
  const madB = madA + bands * bands;
  const inverseVariance = madB + bands * bands;
  validRow.fill(1, 1, width + 1);
  for (let b = 0; b < bands; b++) {
    const plane = b * pixels + p0;
    for (let x = 0; x < width; x++) {
      const v = before[plane + x];
      const w = after[plane + x];
      if (v - v !== 0 || v === ndB || w - w !== 0 || w === ndA) validRow[x + 1] = 0;
    }
  }
  sumSq.fill(0);
  for (let b = 0; b < bands; b++) {
    const plane = b * pixels + p0;
    const bMean = c[beforeMean + b];
    const bScale = c[beforeScale + b];
    const aMean = c[afterMean + b];
    const aScale = c[afterScale + b];
    const mb = c[madMeanBefore + b];
    const ma = c[madMeanAfter + b];
    const row = b * width;
    for (let x = 0; x < width; x++) {
      const v = before[plane + x];
      const w = after[plane + x];
      const d = (w - aMean) * aScale - (v - bMean) * bScale;
      sumSq[x] += d * d;
      centredBefore[row + x] = v - mb;
      centredAfter[row + x] = w - ma;
    }
  }
  zRow.fill(0);
  for (let k = 0; k < bands; k++) {
    madRow.fill(0);
    for (let j = 0; j < bands; j++) {
      const aKj = c[madA + k * bands + j];
      const bKj = c[madB + k * bands + j];
      const row = j * width;
      for (let x = 0; x < width; x++) madRow[x] += aKj * centredBefore[row + x] - bKj * centredAfter[row + x];
    }
    const iv = c[inverseVariance + k];
    for (let x = 0; x < width; x++) zRow[x] += madRow[x] * madRow[x] * iv;
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
    const cva = Math.fround(Math.sqrt(sumSq[x] * inverseBands));
    const mad = Math.fround(Math.sqrt(zRow[x] * inverseBands));
    if (withCues) {
      cvaOut[p0 + x] = cva;
      madOut[p0 + x] = mad;
    }
    const fx = cva * f;
    const fy = mad * s;
    fusedRow[x + 1] = Math.fround(fx < fy ? fx : fy);
  }
}

/** Band counts with a written-out per-pixel cue step; others use cueRowGeneric. */
function hasUnrolledRow(bands: number): boolean {
  return bands >= 3 && bands <= 8;
}

/** Runs the cue step of image row y (outputs: see above cueRow4). */
function cueRow(
  before: Float32Array,
  after: Float32Array,
  y: number,
  width: number,
  height: number,
  bands: number,
  c: Float64Array,
  g: GenericScratch | null,
  withCues: boolean,
  cva: Float32Array,
  mad: Float32Array,
  fusedRow: Float64Array,
  validRow: Uint8Array,
): void {
  const pixels = width * height;
  const p0 = y * width;
  if (g !== null) cueRowGeneric(before, after, p0, pixels, width, bands, c, g, withCues, cva, mad, fusedRow, validRow);
  else if (bands === 4) cueRow4(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
  else if (bands === 3) cueRow3(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
  else if (bands === 6) cueRow6(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
  else if (bands === 5) cueRow5(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
  else if (bands === 7) cueRow7(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
  else cueRow8(before, after, p0, pixels, width, c, withCues, cva, mad, fusedRow, validRow);
}

/**
 * One pass for the validity mask and both change cues: writes exactly what `valid.fill(1)`,
 * andValidMask (before, nodataBefore), andValidMask (after, nodataAfter), changeVectorMagnitude
 * (→ cva) and madChiScore (→ mad) write, bit for bit, reading each input sample once. Layout as
 * those kernels: planar Float32 `before`/`after` with `params.bands` bands; `valid` Uint8Array,
 * `cva`/`mad` Float32Array, each width*height and fully written. Invalid pixels → 0.
 */
export function changeCues(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  params: ChangePassParams,
  valid: Uint8Array,
  cva: Float32Array,
  mad: Float32Array,
): void {
  checkPass(before, after, width, height, params);
  const pixels = width * height;
  requireLength('valid', valid, pixels);
  requireLength('cva', cva, pixels);
  requireLength('mad', mad, pixels);
  const bands = params.bands;
  const c = packConstants(params);
  const g = hasUnrolledRow(bands) ? null : genericScratch(width, bands);
  const fusedRow = new Float64Array(width + 2);
  const validRow = new Uint8Array(width + 2);
  for (let y = 0; y < height; y++) {
    cueRow(before, after, y, width, height, bands, c, g, true, cva, mad, fusedRow, validRow);
    valid.set(validRow.subarray(1, width + 1), y * width);
  }
}

/**
 * The whole per-pixel change pass in one sweep over the rows: writes exactly what changeCues,
 * then fuseMinScaled (cva, mad, cvaMedian, madMedian) and boxMean3x3 of the fused score write,
 * bit for bit: `valid` (Uint8Array(width*height), 1 valid / 0 invalid) and `score`
 * (Float32Array(width*height): the mean of the fused minimum over the valid pixels of the 3×3
 * neighbourhood inside the array, 0 where invalid). Nothing but `valid` and `score` is written at
 * full size: the cues and the fused score live in a few row buffers.
 */
export function changeScores(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  params: ChangePassParams,
  valid: Uint8Array,
  score: Float32Array,
): void {
  checkPass(before, after, width, height, params);
  const pixels = width * height;
  requireLength('valid', valid, pixels);
  requireLength('score', score, pixels);
  if (pixels === 0) return;
  const bands = params.bands;
  const c = packConstants(params);
  const g = hasUnrolledRow(bands) ? null : genericScratch(width, bands);
  const none = new Float32Array(0); // cue outputs, unused (withCues false)
  // Three zero-padded fused/validity rows, cycled (row y lives in slot y % 3), and an all-zero row
  // standing for the rows above the top and below the bottom.
  const fusedRows = [new Float64Array(width + 2), new Float64Array(width + 2), new Float64Array(width + 2)];
  const validRows = [new Uint8Array(width + 2), new Uint8Array(width + 2), new Uint8Array(width + 2)];
  const zeroFused = new Float64Array(width + 2);
  const zeroValid = new Uint8Array(width + 2);
  cueRow(before, after, 0, width, height, bands, c, g, false, none, none, fusedRows[0], validRows[0]);
  for (let y = 0; y < height; y++) {
    const hasNext = y + 1 < height;
    if (hasNext) cueRow(before, after, y + 1, width, height, bands, c, g, false, none, none, fusedRows[(y + 1) % 3], validRows[(y + 1) % 3]);
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
 * to right); invalid and outside neighbours hold +0, and adding +0 to a sum that started at +0
 * changes nothing, so the sum is bit-identical. Values are loaded once, one column per step.
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
      const sum = 0 + pl + pm + pr + cl + cm + cr + nl + nm + nr;
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
