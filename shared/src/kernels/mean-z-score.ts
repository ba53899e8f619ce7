/**
 * Per-pixel mean of the z-scored bands of a planar image: out[i] = (1/B) Σ_b (x_b,i − mean_b) / std_b
 * for valid pixels (valid[i] === 1), 0 elsewhere (the pair's average intensity: neutral for what reads
 * the result). Bands with std 0 add 0. Layout: `planar` band-sequential (B × width × height), `out`
 * Float32Array(width*height).
 *
 * Why: an epoch's intensity on the pair's own radiometric scale: z-scoring each band by the epoch's
 * statistics removes gain and offset differences between dates and sensors (haze, sun angle, exposure)
 * before structures of the two epochs are compared.
 *
 * Arithmetic: each band's term (float64) is added to the pixel's sum in band order, the sum rounding to
 * float32 after each addition; then sum × (1/B), rounded to float32.
 *
 * One sweep over the pixels with every band's term summed in a local (for up to four bands written out),
 * rather than a sweep per band adding into `out`: the same additions in the same order, so the same bits,
 * without reading and writing `out` once per band (a third of the time on 3-band drone imagery).
 */

import { requireDimensions, requireLength } from './argument-checks.js';

type Planar = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

export function meanZScore(planar: Planar, width: number, height: number, bands: number, mean: Float64Array, std: Float64Array, valid: Uint8Array, out: Float32Array): void {
  requireDimensions(width, height);
  const n = width * height;
  requireLength('planar', planar, n * bands);
  requireLength('mean', mean, bands);
  requireLength('std', std, bands);
  requireLength('valid', valid, n);
  requireLength('out', out, n);
  // The bands that add a term (std 0 adds nothing), their offsets and constants.
  const used: number[] = [];
  for (let b = 0; b < bands; b++) if (std[b]! > 0) used.push(b);
  const scale = bands > 0 ? 1 / bands : 0;
  const k = used.length;
  const base = used.map((b) => b * n);
  const m = used.map((b) => mean[b]!);
  const inv = used.map((b) => 1 / std[b]!);
  const f = Math.fround;
  if (k === 0) {
    out.fill(0, 0, n);
  } else if (k === 1) {
    const [b0, m0, s0] = [base[0]!, m[0]!, inv[0]!];
    for (let i = 0; i < n; i++) out[i] = valid[i] === 1 ? f(f((planar[b0 + i]! - m0) * s0) * scale) : 0;
  } else if (k === 2) {
    const [b0, b1, m0, m1, s0, s1] = [base[0]!, base[1]!, m[0]!, m[1]!, inv[0]!, inv[1]!];
    for (let i = 0; i < n; i++) {
      out[i] = valid[i] === 1 ? f(f(f((planar[b0 + i]! - m0) * s0) + (planar[b1 + i]! - m1) * s1) * scale) : 0;
    }
  } else if (k === 3) {
    const [b0, b1, b2, m0, m1, m2, s0, s1, s2] = [base[0]!, base[1]!, base[2]!, m[0]!, m[1]!, m[2]!, inv[0]!, inv[1]!, inv[2]!];
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 1) {
        out[i] = 0;
        continue;
      }
      const sum = f(f(f((planar[b0 + i]! - m0) * s0) + (planar[b1 + i]! - m1) * s1) + (planar[b2 + i]! - m2) * s2);
      out[i] = f(sum * scale);
    }
  } else if (k === 4) {
    const [b0, b1, b2, b3] = [base[0]!, base[1]!, base[2]!, base[3]!];
    const [m0, m1, m2, m3, s0, s1, s2, s3] = [m[0]!, m[1]!, m[2]!, m[3]!, inv[0]!, inv[1]!, inv[2]!, inv[3]!];
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 1) {
        out[i] = 0;
        continue;
      }
      const sum = f(f(f(f((planar[b0 + i]! - m0) * s0) + (planar[b1 + i]! - m1) * s1) + (planar[b2 + i]! - m2) * s2) + (planar[b3 + i]! - m3) * s3);
      out[i] = f(sum * scale);
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 1) {
        out[i] = 0;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < k; j++) sum = f(sum + (planar[base[j]! + i]! - m[j]!) * inv[j]!);
      out[i] = f(sum * scale);
    }
  }
}
