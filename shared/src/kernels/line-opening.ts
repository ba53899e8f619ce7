/**
 * Grey-level opening of a raster by a straight line segment (a 1-pixel-wide structuring element of
 * `length` pixels, odd) in one of four directions: 0 horizontal, 1 vertical, 2 diagonal (down-right),
 * 3 anti-diagonal (down-left). Layout: `src`, `out` Float32Array(width*height), row-major; they must not
 * alias. out = dilation(erosion(src)) along the direction, both over the segment centred on each pixel.
 *
 * Edges: samples outside the array are ignored (the segment is clipped), so the opening never exceeds
 * src and a longer segment never opens higher than a shorter one (both hold with clipping too). A pixel's
 * result depends on samples up to length − 1 away along its line: a caller that wants tile-independent
 * results reads that many pixels of halo.
 *
 * Why: an opening by a segment keeps what the segment fits inside; a bright structure narrower than the
 * segment in that direction is removed. Openings at two lengths in four directions measure bright
 * structures of a size in between (morphological building index, building-index.ts).
 *
 * Method: van Herk (1992) / Gil & Werman (1993): per line, running minima (maxima) from the start and
 * from the end of blocks of `length` samples; every clipped window of at most `length` samples is then
 * the min (max) of two of them, whatever the length: O(1) per pixel. Results are exact (min and max
 * select samples; nothing is rounded).
 *
 * `scratch`: Float32Array of at least 4 × max(width, height) (line, forward, backward, eroded line).
 */

import { requireDimensions, requireIntegerInRange, requireLength, requireNoOverlap } from './argument-checks.js';

/** Direction steps: [dx, dy] of directions 0..3. */
const STEPS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [0, 1],
  [1, 1],
  [-1, 1],
];

export type LineDirection = 0 | 1 | 2 | 3;

export function openAlongLine(src: Float32Array, width: number, height: number, direction: LineDirection, length: number, scratch: Float32Array, out: Float32Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('direction', direction, 0, 3);
  requireIntegerInRange('length', length, 1, 1 << 16);
  if (length % 2 === 0) throw new RangeError(`length must be odd, got ${length}`);
  const n = width * height;
  requireLength('src', src, n);
  requireLength('out', out, n);
  requireNoOverlap('src', src, 'out', out);
  const span = Math.max(width, height);
  requireLength('scratch', scratch, 4 * span);
  if (n === 0) return;
  const line = scratch.subarray(0, span);
  const forward = scratch.subarray(span, 2 * span);
  const backward = scratch.subarray(2 * span, 3 * span);
  const eroded = scratch.subarray(3 * span, 4 * span);
  const [dx, dy] = STEPS[direction]!;
  const radius = (length - 1) >> 1;
  // Every line of the direction, by its first pixel: along the top row, then down the first (or, for
  // the anti-diagonal, the last) column.
  const startCol = dx < 0 ? width - 1 : 0;
  const starts = dy === 0 ? height : dx === 0 ? width : width + height - 1;
  for (let s = 0; s < starts; s++) {
    let x0: number;
    let y0: number;
    if (dy === 0) [x0, y0] = [0, s];
    else if (dx === 0) [x0, y0] = [s, 0];
    else if (s < width) [x0, y0] = [dx > 0 ? s : width - 1 - s, 0];
    else [x0, y0] = [startCol, s - width + 1];
    const count = lineLength(x0, y0, dx, dy, width, height);
    const stride = dy * width + dx;
    const first = y0 * width + x0;
    for (let k = 0, i = first; k < count; k++, i += stride) line[k] = src[i]!;
    slidingExtreme(line, count, radius, length, forward, backward, eroded, true);
    slidingExtreme(eroded, count, radius, length, forward, backward, line, false);
    for (let k = 0, i = first; k < count; k++, i += stride) out[i] = line[k]!;
  }
}

/** Pixels on the line from (x0, y0) in steps (dx, dy) before it leaves the array. */
function lineLength(x0: number, y0: number, dx: number, dy: number, width: number, height: number): number {
  const alongX = dx > 0 ? width - x0 : dx < 0 ? x0 + 1 : Infinity;
  const alongY = dy > 0 ? height - y0 : Infinity;
  return Math.min(alongX, alongY);
}

/**
 * into[k] = min (or max) of values[k − radius .. k + radius] clipped to [0, count): van Herk / Gil–Werman
 * with blocks of `block` = 2·radius + 1 samples. A clipped window either starts a block (then it ends in
 * that block or the next), spans two blocks, or is cut by the line's end inside one block.
 */
function slidingExtreme(values: Float32Array, count: number, radius: number, block: number, forward: Float32Array, backward: Float32Array, into: Float32Array, min: boolean): void {
  for (let start = 0; start < count; start += block) {
    const end = Math.min(start + block, count);
    let acc = values[start]!;
    forward[start] = acc;
    for (let k = start + 1; k < end; k++) {
      const v = values[k]!;
      acc = min ? (v < acc ? v : acc) : v > acc ? v : acc;
      forward[k] = acc;
    }
    acc = values[end - 1]!;
    backward[end - 1] = acc;
    for (let k = end - 2; k >= start; k--) {
      const v = values[k]!;
      acc = min ? (v < acc ? v : acc) : v > acc ? v : acc;
      backward[k] = acc;
    }
  }
  for (let k = 0; k < count; k++) {
    const lo = k - radius < 0 ? 0 : k - radius;
    const hi = k + radius >= count ? count - 1 : k + radius;
    const loBlock = (lo / block) | 0;
    const hiBlock = (hi / block) | 0;
    let v: number;
    if (loBlock !== hiBlock) {
      const a = backward[lo]!;
      const b = forward[hi]!;
      v = min ? (a < b ? a : b) : a > b ? a : b;
    } else if (lo === loBlock * block) v = forward[hi]!;
    else v = backward[lo]!; // the window ends at the line's end, which is the block's end
    into[k] = v;
  }
}
