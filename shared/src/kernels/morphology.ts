/**
 * 3×3 binary erosion, dilation and opening of a change mask (square structuring element,
 * 8-neighbourhood).
 *
 * Layout: `src`, `out` (and `scratch`) are Uint8Array(width*height), row-major, index y*width + x.
 * Input: any nonzero sample is foreground; output is exactly 0/1.
 * Units: pixels.
 * Edges: neighbours outside the array are ignored, i.e. the 3×3 window is clipped to the array.
 * Clipping is implemented by clamping: an out-of-array row/column is replaced by the edge
 * row/column itself. That is exact for min/max filters, because the clamped sample is already
 * inside the clipped window and repeating a window member changes neither its minimum nor its
 * maximum. Why this rule: masks are processed per tile, and a real patch cut by the tile
 * border must not be eroded away by a fictitious background outside the tile.
 * Method: row-pointer style. For each output row, the rows above/below are clamped once; a
 * sliding window carries the vertical (3-row) AND/OR of the previous, current and next column,
 * so each source pixel is read three times instead of nine. The first and last columns are
 * handled outside the inner loop. Branch-free sign-bit arithmetic keeps the inner loop free of
 * data-dependent branches, which matters on the 50 % noise masks.
 * Aliasing: src and out must not share memory (the window reads rows already overwritten).
 */

import { requireDimensions, requireLength, requireNoOverlap } from './argument-checks.js';

function checkArguments(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  requireDimensions(width, height);
  requireLength('src', src, width * height);
  requireLength('out', out, width * height);
  requireNoOverlap('src', src, 'out', out);
}

/**
 * 3×3 binary erosion: out[i] = 1 iff src[i] and all its in-array 8-neighbours are nonzero.
 * Neighbours outside the array are ignored (not counted as background), so a patch touching the
 * tile edge is not eaten by the edge. src, out: Uint8Array(width*height) of 0/1; must not alias.
 */
export function erode3x3(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  checkArguments(src, width, height, out);
  if (width === 0) return;
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const above = y > 0 ? row - width : row;
    const below = y < height - 1 ? row + width : row;
    // Column term: for a uint8 s, (0 - s) is negative iff s != 0, and the AND of three such
    // terms keeps the sign bit iff all three samples are nonzero. Column −1 is clamped to column 0.
    let centre = (0 - src[above]) & (0 - src[row]) & (0 - src[below]);
    let left = centre;
    for (let x = 0; x < last; x++) {
      const right = (0 - src[above + x + 1]) & (0 - src[row + x + 1]) & (0 - src[below + x + 1]);
      out[row + x] = (left & centre & right) >>> 31;
      left = centre;
      centre = right;
    }
    // Last column: column `width` is outside, clamped to the last column itself.
    out[row + last] = (left & centre) >>> 31;
  }
}

/** 3×3 binary dilation, same edge rule (outside ignored): out[i] = 1 iff any in-array pixel of the 3×3 window around i is nonzero. */
export function dilate3x3(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  checkArguments(src, width, height, out);
  if (width === 0) return;
  const last = width - 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const above = y > 0 ? row - width : row;
    const below = y < height - 1 ? row + width : row;
    // Column term: the OR of three uint8 samples is nonzero iff any of them is; (0 - t) >>> 31
    // turns a nonzero t in 1..255 into 1 and 0 into 0. Column −1 is clamped to column 0.
    let centre = src[above] | src[row] | src[below];
    let left = centre;
    for (let x = 0; x < last; x++) {
      const right = src[above + x + 1] | src[row + x + 1] | src[below + x + 1];
      out[row + x] = (0 - (left | centre | right)) >>> 31;
      left = centre;
      centre = right;
    }
    out[row + last] = (0 - (left | centre)) >>> 31;
  }
}

/**
 * Opening = dilate(erode(src)); removes features narrower than 3 px. scratch and out:
 * Uint8Array(width*height), no aliasing with src or each other.
 */
export function open3x3(src: Uint8Array, width: number, height: number, scratch: Uint8Array, out: Uint8Array): void {
  requireNoOverlap('src', src, 'scratch', scratch);
  requireNoOverlap('src', src, 'out', out);
  requireNoOverlap('scratch', scratch, 'out', out);
  erode3x3(src, width, height, scratch);
  dilate3x3(scratch, width, height, out);
}
