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
 * Arithmetic: each band's term (float64) is added to out in band order, out rounding to float32 after
 * each addition; then out × (1/B).
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
  out.fill(0, 0, n);
  for (let b = 0; b < bands; b++) {
    const s = std[b]!;
    if (!(s > 0)) continue;
    const m = mean[b]!;
    const inv = 1 / s;
    const base = b * n;
    for (let i = 0; i < n; i++) if (valid[i] === 1) out[i] = out[i]! + (planar[base + i]! - m) * inv;
  }
  const scale = bands > 0 ? 1 / bands : 0;
  for (let i = 0; i < n; i++) out[i] = out[i]! * scale;
}
