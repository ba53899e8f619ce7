/**
 * Mean of a raster over square blocks of `factor` × `factor` pixels, the blocks aligned to a global grid:
 * the window's pixel (0, 0) sits at (offsetX, offsetY) inside its block (0 ≤ offset < factor), so block
 * edges fall at the same ground positions whichever window is read. Layout: `src` Float32Array and `valid`
 * Uint8Array (width*height, row-major); `out` Float32Array and `outValid` Uint8Array of
 * pooledSize(width, offsetX, factor) × pooledSize(height, offsetY, factor).
 * out[block] = mean of src over the block's valid pixels inside the window (0 and outValid 0 when it has
 * none). A block cut by the window's edge is averaged over its part inside: a caller that wants
 * window-independent values reads enough halo that such blocks are never used.
 *
 * Why: the structural score's segments are ground lengths; on imagery far finer than the building sizes
 * they look for (drone orthophotos of a few centimetres), averaging blocks first brings the pixel into the
 * range where the openings are cheap and mean the same as on 0.2–0.4 m imagery.
 *
 * Arithmetic: float64 sums per block in raster order, the mean rounded to float32 once.
 * `sums`: Float64Array of at least pooled width; `counts`: Int32Array of at least pooled width.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Blocks across `size` pixels that start `offset` pixels into their first block. */
export function pooledSize(size: number, offset: number, factor: number): number {
  return size === 0 ? 0 : Math.ceil((offset + size) / factor);
}

export function meanPool(
  src: Float32Array,
  valid: Uint8Array,
  width: number,
  height: number,
  factor: number,
  offsetX: number,
  offsetY: number,
  sums: Float64Array,
  counts: Int32Array,
  out: Float32Array,
  outValid: Uint8Array,
): void {
  requireDimensions(width, height);
  requireIntegerInRange('factor', factor, 1, 1 << 12);
  requireIntegerInRange('offsetX', offsetX, 0, factor - 1);
  requireIntegerInRange('offsetY', offsetY, 0, factor - 1);
  const n = width * height;
  requireLength('src', src, n);
  requireLength('valid', valid, n);
  const pw = pooledSize(width, offsetX, factor);
  const ph = pooledSize(height, offsetY, factor);
  requireLength('sums', sums, pw);
  requireLength('counts', counts, pw);
  requireLength('out', out, pw * ph);
  requireLength('outValid', outValid, pw * ph);
  for (let by = 0; by < ph; by++) {
    sums.fill(0, 0, pw);
    counts.fill(0, 0, pw);
    const y0 = Math.max(0, by * factor - offsetY);
    const y1 = Math.min(height, (by + 1) * factor - offsetY);
    for (let y = y0; y < y1; y++) {
      const row = y * width;
      // Block by block along the row, the block's sum held in a local: the same additions in the same
      // order as pixel by pixel into sums[bx], so the same bits.
      for (let bx = 0, x0 = 0; bx < pw; bx++) {
        const x1 = Math.min(width, (bx + 1) * factor - offsetX);
        let sum = sums[bx]!;
        let count = counts[bx]!;
        for (let i = row + x0; i < row + x1; i++) {
          if (valid[i] === 1) {
            sum += src[i]!;
            count++;
          }
        }
        sums[bx] = sum;
        counts[bx] = count;
        x0 = x1;
      }
    }
    const o = by * pw;
    for (let bx = 0; bx < pw; bx++) {
      const c = counts[bx]!;
      out[o + bx] = c > 0 ? sums[bx]! / c : 0;
      outValid[o + bx] = c > 0 ? 1 : 0;
    }
  }
}
