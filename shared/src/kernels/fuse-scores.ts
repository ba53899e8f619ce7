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
 */

import { requireLength } from './argument-checks.js';

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
