/**
 * Fuses three change cues by the geometric mean of their scaled values, the third capped by the larger
 * of the other two: with a = first[i]/firstScale, b = second[i]/secondScale, c = third[i]/thirdScale,
 * out[i] = cbrt( a · b · min(c, max(a, b)) ), each cue divided by its typical value over the scene pair
 * (its median) so all are in "multiples of typical". Layout: Float32Array(length) cues and out, Uint8Array(length) valid; invalid pixels → 0.
 * A scale that is not a positive finite number makes that factor 0 (as fuseMinScaled does).
 *
 * Why the geometric mean: it is a soft conjunction. Like the minimum, a pixel scores high only when
 * every cue is raised, so each cue's own false alarms (calibration for the change vector, weakly
 * correlated bands for IR-MAD, shadows and misregistration edges for the gradient cue) are damped;
 * unlike the minimum, one weak cue lowers the score in proportion instead of deciding it alone,
 * which matters with three cues of different noise. Why the cap: the third cue (gradient change) sees
 * a moved edge on both sides of it, so on its own it would spread change one pixel into unchanged
 * ground next to every changed object; capped by the spectral evidence it can raise a pixel only as far
 * as that pixel's own spectrum changed. Arithmetic is float64; only the result is rounded to float32.
 */

import { requireLength } from './argument-checks.js';

function inverse(scale: number): number {
  return scale > 0 && scale < Infinity ? 1 / scale : 0;
}

export function fuseGeometricMean3(
  first: Float32Array,
  second: Float32Array,
  third: Float32Array,
  firstScale: number,
  secondScale: number,
  thirdScale: number,
  valid: Uint8Array,
  length: number,
  out: Float32Array,
): void {
  requireLength('first', first, length);
  requireLength('second', second, length);
  requireLength('third', third, length);
  requireLength('valid', valid, length);
  requireLength('out', out, length);
  const f = inverse(firstScale);
  const s = inverse(secondScale);
  const t = inverse(thirdScale);
  for (let i = 0; i < length; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    const a = first[i]! * f;
    const b = second[i]! * s;
    const c = third[i]! * t;
    const cap = a > b ? a : b;
    out[i] = Math.cbrt(a * b * (c < cap ? c : cap));
  }
}
