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
  if (k === 0) {
    out.fill(0, 0, n);
  } else if (k <= UNROLLED_BANDS) {
    unrolledLoop(planar, k)(planar, valid, out, n, base, m, inv, scale);
  } else {
    const f = Math.fround;
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

/** Band counts with a loop of their own (the terms in locals). */
const UNROLLED_BANDS = 4;

type Loop = (planar: Planar, valid: Uint8Array, out: Float32Array, n: number, base: number[], mean: number[], inverse: number[], scale: number) => void;
const loops = new Map<string, Loop>();

/**
 * The loop for `k` used bands and the sample type of `planar`, compiled on first use: with the terms in
 * locals (sum_1 = f(t_0), sum_j = f(sum_{j−1} + t_j), out = f(sum_k · scale), t_j = (x_j − mean_j) · inverse_j),
 * and invalid pixels computed too and their value dropped by a select, which changes no valid pixel's bits.
 * Why a function per sample type: windows come as the file's 8/16-bit samples or as float32 (where
 * something in them is unusable), and one loop seeing both runs its loads several times slower; a function
 * of its own has type feedback of its own (as change-pass-rows.ts does for the change pass).
 */
function unrolledLoop(planar: Planar, k: number): Loop {
  const key = `${planar.constructor.name}:${k}`;
  let loop = loops.get(key);
  if (loop === undefined) {
    const j = Array.from({ length: k }, (_, i) => i);
    const term = (i: number) => `(planar[b${i} + i] - m${i}) * s${i}`;
    const sum = j.slice(1).reduce((acc, i) => `f(${acc} + ${term(i)})`, `f(${term(0)})`);
    const source = [
      "'use strict';",
      `const ${j.map((i) => `b${i} = base[${i}], m${i} = mean[${i}], s${i} = inverse[${i}]`).join(', ')};`,
      'const f = Math.fround;',
      'for (let i = 0; i < n; i++) {',
      `  const v = f(${sum} * scale);`,
      '  out[i] = valid[i] === 1 ? v : 0;',
      '}',
    ].join('\n');
    loop = new Function('planar', 'valid', 'out', 'n', 'base', 'mean', 'inverse', 'scale', source) as Loop;
    loops.set(key, loop);
  }
  return loop;
}
