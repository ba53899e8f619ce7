/**
 * 3×3 mean of a score over valid pixels. Layout: `src`, `out` Float32Array(width*height), `valid`
 * Uint8Array(width*height); `src` and `out` must not alias. out[i] = mean of src over the valid
 * pixels of the 3×3 neighbourhood of i that lie inside the array; invalid centres → 0.
 * Edges: neighbours outside the array are ignored (the mean is over fewer pixels), so a caller that
 * wants tile-independent results reads a 1-pixel halo around its window.
 *
 * Why: averaging the score over the neighbourhood suppresses single-pixel noise and the edge
 * artefacts of slight misregistration, while keeping patches of a few pixels (unlike an opening of
 * the binary map, which removes anything narrower than 3 pixels).
 *
 * Arithmetic: float32 (each sum rounded to float32, row by row, left to right; the mean is the float32
 * quotient), as the change pass (fuse-scores.ts changeScores) computes it.
 */

import { requireDimensions, requireLength, requireNoOverlap } from './argument-checks.js';

export function boxMean3x3(src: Float32Array, valid: Uint8Array, width: number, height: number, out: Float32Array): void {
  requireDimensions(width, height);
  const n = width * height;
  requireLength('src', src, n);
  requireLength('valid', valid, n);
  requireLength('out', out, n);
  requireNoOverlap('src', src, 'out', out);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y === 0 || y === height - 1 || width < 3) {
      for (let x = 0; x < width; x++) out[row + x] = edgeMean(src, valid, width, height, x, y);
      continue;
    }
    out[row] = edgeMean(src, valid, width, height, 0, y);
    // Interior: the nine neighbours written out, in the same order (row by row, left to right) as
    // edgeMean adds them, so the float32 sums are the same.
    const up = row - width;
    const down = row + width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      if (valid[i] !== 1) {
        out[i] = 0;
        continue;
      }
      let sum = 0;
      let count = 0;
      if (valid[up + x - 1] === 1) { sum = Math.fround(sum + src[up + x - 1]!); count++; }
      if (valid[up + x] === 1) { sum = Math.fround(sum + src[up + x]!); count++; }
      if (valid[up + x + 1] === 1) { sum = Math.fround(sum + src[up + x + 1]!); count++; }
      if (valid[i - 1] === 1) { sum = Math.fround(sum + src[i - 1]!); count++; }
      sum = Math.fround(sum + src[i]!);
      count++;
      if (valid[i + 1] === 1) { sum = Math.fround(sum + src[i + 1]!); count++; }
      if (valid[down + x - 1] === 1) { sum = Math.fround(sum + src[down + x - 1]!); count++; }
      if (valid[down + x] === 1) { sum = Math.fround(sum + src[down + x]!); count++; }
      if (valid[down + x + 1] === 1) { sum = Math.fround(sum + src[down + x + 1]!); count++; }
      out[i] = sum / count; // the float64 quotient of float32 values, rounded by the store: their float32 quotient
    }
    out[row + width - 1] = edgeMean(src, valid, width, height, width - 1, y);
  }
}

/** The mean at (x, y) over the valid neighbours inside the array (any pixel; used at the edges). */
function edgeMean(src: Float32Array, valid: Uint8Array, width: number, height: number, x: number, y: number): number {
  const i = y * width + x;
  if (valid[i] !== 1) return 0;
  const y0 = y > 0 ? y - 1 : 0;
  const y1 = y < height - 1 ? y + 1 : height - 1;
  const x0 = x > 0 ? x - 1 : 0;
  const x1 = x < width - 1 ? x + 1 : width - 1;
  let sum = 0;
  let count = 0;
  for (let yy = y0; yy <= y1; yy++) {
    const row = yy * width;
    for (let xx = x0; xx <= x1; xx++) {
      const j = row + xx;
      if (valid[j] === 1) {
        sum = Math.fround(sum + src[j]!);
        count++;
      }
    }
  }
  return sum / count;
}
