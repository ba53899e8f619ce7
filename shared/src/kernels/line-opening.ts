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
 * Method: van Herk (1992) / Gil & Werman (1993): running minima from the start and from the end of blocks
 * of `length` samples along each line; every clipped window of at most `length` samples is then the min of
 * at most two of them: O(1) per pixel whatever the length. The blocks are cut at fixed columns (horizontal)
 * or rows (the other directions), so every pass runs along the rows in memory order; a line's samples in a
 * block are consecutive on it, which is all the method needs. Each erosion writes its result negated, so
 * the opening is negErode(negErode(src)) = dilation(erosion(src)) with no pass of its own for the sign.
 * Results are exact (min selects samples, negation is exact).
 *
 * `scratch`: Float32Array of at least 3·width·height.
 *
 * Where the engine has WebAssembly SIMD, the same passes run four pixels at a time
 * (line-opening-simd.ts; same bytes; setLineOpeningSimd(false) forces these loops).
 */

import { requireDimensions, requireIntegerInRange, requireLength, requireNoOverlap } from './argument-checks.js';
import { openAlongLineSimd } from './line-opening-simd.js';

export { setLineOpeningSimd } from './line-opening-simd.js';

export type LineDirection = 0 | 1 | 2 | 3;

/** Column step per row of directions 1..3 (direction 0 runs along the row). */
const COLUMN_STEP = [0, 0, 1, -1] as const;

export function openAlongLine(src: Float32Array, width: number, height: number, direction: LineDirection, length: number, scratch: Float32Array, out: Float32Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('direction', direction, 0, 3);
  requireIntegerInRange('length', length, 1, 1 << 16);
  if (length % 2 === 0) throw new RangeError(`length must be odd, got ${length}`);
  const n = width * height;
  requireLength('src', src, n);
  requireLength('out', out, n);
  requireNoOverlap('src', src, 'out', out);
  requireLength('scratch', scratch, 3 * n);
  if (n === 0) return;
  if (openAlongLineSimd(src, width, height, direction, length, out)) return;
  const forward = scratch.subarray(0, n);
  const backward = scratch.subarray(n, 2 * n);
  const eroded = scratch.subarray(2 * n, 3 * n);
  const radius = (length - 1) >> 1;
  negatedErosion(src, width, height, direction, radius, forward, backward, eroded);
  negatedErosion(eroded, width, height, direction, radius, forward, backward, out);
}

/** into = −(minimum over the clipped segment of 2·radius + 1 samples centred on each pixel, along the direction). */
function negatedErosion(src: Float32Array, width: number, height: number, direction: LineDirection, radius: number, forward: Float32Array, backward: Float32Array, into: Float32Array): void {
  if (direction === 0) erodeRows(src, width, height, radius, forward, backward, into);
  else erodeAcrossRows(src, width, height, COLUMN_STEP[direction], radius, forward, backward, into);
}

/** Horizontal segments: blocks of 2·radius + 1 columns from column 0 in every row. */
function erodeRows(src: Float32Array, width: number, height: number, radius: number, forward: Float32Array, backward: Float32Array, into: Float32Array): void {
  const block = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let start = 0; start < width; start += block) {
      const end = Math.min(start + block, width);
      let acc = src[row + start]!;
      forward[row + start] = acc;
      for (let x = start + 1; x < end; x++) {
        const v = src[row + x]!;
        if (v < acc) acc = v;
        forward[row + x] = acc;
      }
      acc = src[row + end - 1]!;
      backward[row + end - 1] = acc;
      for (let x = end - 2; x >= start; x--) {
        const v = src[row + x]!;
        if (v < acc) acc = v;
        backward[row + x] = acc;
      }
    }
    // Away from the ends every window holds `block` samples: it starts a block (then it is that block) or
    // spans two; `phase` counts lo's position in its block.
    const interiorEnd = width - radius;
    for (let x = radius, phase = 0; x < interiorEnd; x++) {
      const i = row + x;
      if (phase === 0) into[i] = -forward[i + radius]!;
      else {
        const p = backward[i - radius]!;
        const q = forward[i + radius]!;
        into[i] = -(p < q ? p : q);
      }
      if (++phase === block) phase = 0;
    }
    for (let x = 0; x < width; x++) {
      if (x === radius && interiorEnd > radius) x = interiorEnd;
      if (x >= width) break;
      const lo = x - radius < 0 ? 0 : x - radius;
      const hi = x + radius >= width ? width - 1 : x + radius;
      into[row + x] = -windowMin(forward, backward, row + lo, row + hi, lo % block === 0, (lo / block) | 0, (hi / block) | 0);
    }
  }
}

/**
 * Segments that step one row down and `dx` (0, 1 or −1) columns per sample: blocks of 2·radius + 1 rows from
 * row 0. forward[i] is the minimum from the first row of i's block (or its line's start, if later) to i,
 * backward[i] from i to the last row of the block (or the line's end).
 */
function erodeAcrossRows(src: Float32Array, width: number, height: number, dx: number, radius: number, forward: Float32Array, backward: Float32Array, into: Float32Array): void {
  const block = 2 * radius + 1;
  const step = width + dx; // index step from a sample to the next on its line
  // columns where the line through a pixel has no previous (next) sample in the row above (below)
  const firstCol = dx > 0 ? 0 : dx < 0 ? width - 1 : -1;
  const lastCol = dx > 0 ? width - 1 : dx < 0 ? 0 : -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y % block === 0) {
      forward.set(src.subarray(row, row + width), row);
      continue;
    }
    const from = dx > 0 ? 1 : 0;
    const to = dx < 0 ? width - 1 : width;
    for (let i = row + from, end = row + to; i < end; i++) {
      const v = src[i]!;
      const p = forward[i - step]!;
      forward[i] = v < p ? v : p;
    }
    if (firstCol >= 0) forward[row + firstCol] = src[row + firstCol]!;
  }
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    if (y % block === block - 1 || y === height - 1) {
      backward.set(src.subarray(row, row + width), row);
      continue;
    }
    const from = dx < 0 ? 1 : 0;
    const to = dx > 0 ? width - 1 : width;
    for (let i = row + from, end = row + to; i < end; i++) {
      const v = src[i]!;
      const p = backward[i + step]!;
      backward[i] = v < p ? v : p;
    }
    if (lastCol >= 0) backward[row + lastCol] = src[row + lastCol]!;
  }
  // Per row, the window's reach up and down the line is the same for every column whose line runs at
  // least `radius` samples both ways (the columns away from the sides for diagonals, all for vertical).
  const sideCols = dx === 0 ? 0 : Math.min(radius, width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = Math.min(radius, y);
    const down = Math.min(radius, height - 1 - y);
    const loRow = y - up;
    const hiRow = y + down;
    const startsBlock = loRow % block === 0 || up < radius;
    const loBlock = (loRow / block) | 0;
    const hiBlock = (hiRow / block) | 0;
    const a = up * step;
    const b = down * step;
    const interiorEnd = width - sideCols;
    const begin = row + sideCols;
    const end = row + interiorEnd;
    if (loBlock !== hiBlock) {
      for (let i = begin; i < end; i++) {
        const p = backward[i - a]!;
        const q = forward[i + b]!;
        into[i] = -(p < q ? p : q);
      }
    } else if (startsBlock) {
      for (let i = begin; i < end; i++) into[i] = -forward[i + b]!;
    } else {
      for (let i = begin; i < end; i++) into[i] = -backward[i - a]!;
    }
    for (let x = 0; x < width; x++) {
      if (x === sideCols && interiorEnd > sideCols) x = interiorEnd;
      if (x >= width) break;
      // near a side the line ends sooner than `radius` samples on one side
      const back = dx > 0 ? x : dx < 0 ? width - 1 - x : radius;
      const ahead = dx > 0 ? width - 1 - x : dx < 0 ? x : radius;
      const t0 = Math.min(up, back);
      const t1 = Math.min(down, ahead);
      const i = row + x;
      const lo = y - t0;
      into[i] = -windowMin(forward, backward, i - t0 * step, i + t1 * step, lo % block === 0 || t0 < radius, (lo / block) | 0, ((y + t1) / block) | 0);
    }
  }
}

/**
 * Minimum over a line's samples from index lo to hi (at most one block long): across two blocks, the
 * backward run from lo and the forward run to hi; within one, the forward run to hi when lo starts the
 * block or the line (`loStarts`), else the backward run from lo (hi then ends the block or the line).
 */
function windowMin(forward: Float32Array, backward: Float32Array, lo: number, hi: number, loStarts: boolean, loBlock: number, hiBlock: number): number {
  if (loBlock !== hiBlock) {
    const p = backward[lo]!;
    const q = forward[hi]!;
    return p < q ? p : q;
  }
  return loStarts ? forward[hi]! : backward[lo]!;
}
