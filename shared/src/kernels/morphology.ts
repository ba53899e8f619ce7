/**
 * 3×3 binary erosion, dilation, opening and closing of a change mask (square structuring
 * element, 8-neighbourhood).
 *
 * Layout: `src`, `out` (and `scratch`) are Uint8Array(width*height), row-major, index y*width + x.
 * Input: any nonzero sample is foreground; output is exactly 0/1.
 * Units: pixels.
 * Edges: neighbours outside the array are ignored, i.e. the 3×3 window is clipped to the array.
 * Why this rule: masks are processed per tile, and a real patch cut by the tile border must not
 * be eroded away by a fictitious background outside the tile.
 *
 * Method: bit-packed, separable and streamed.
 * - Pack: each row is packed into 32-pixel words (bit b of word k = pixel 32k + b is nonzero;
 *   bits beyond the row end are 0). When width is a multiple of 4 and the buffer is 4-byte
 *   aligned the row is read through an Int32Array view, four pixels per load: the SWAR
 *   expression ((w & 0x7f7f7f7f) + 0x7f7f7f7f | w) & 0x80808080 sets the top bit of every
 *   nonzero byte, and one multiply by 0x00204081 gathers those four top bits into bits 28..31
 *   (the partial products land on distinct bit positions, so there are no carries). Eight
 *   all-zero loads — 32 background pixels — are skipped with a single test. Other widths or
 *   alignments use a per-pixel fallback with the same result.
 * - Filter: a 3×3 min/max is separable. The column pass ANDs (erosion) or ORs (dilation) the
 *   packed words of the rows above, at and below (an out-of-array row is replaced by the edge
 *   row itself, which is exact for min/max because the clamped row is already in the clipped
 *   window); the row pass combines each word with itself shifted one bit either way, carrying
 *   the neighbouring words' edge bits. Out-of-array columns are neutral: 1 for AND, 0 for OR.
 *   32 pixels cost a handful of integer operations.
 * - Stream: only three packed source rows (and, for opening/closing, three packed rows of the
 *   intermediate result) are kept in a ring, so the intermediate image never exists at full size
 *   and never goes back to bytes.
 * - Unpack: each 4-bit nibble is spread to four 0/1 bytes with one multiply by 0x00204081 and
 *   mask 0x01010101, stored as one 32-bit word; all-zero rows are written with fill(0).
 * Aliasing: src and out must not share memory.
 *
 * Where the engine has WebAssembly SIMD the same filters run on bytes, sixteen at a time
 * (morphology-simd.ts; same bytes; setMorphologySimd(false) forces these loops).
 */

import { requireDimensions, requireLength, requireNoOverlap } from './argument-checks.js';
import { morphologySimd } from './morphology-simd.js';
import { byteWords, NIBBLE_SPREAD, packRow } from './pack-bits.js';

/** NIBBLE_SPREAD in a module constant: the unpack loop reads it per word, and an imported binding may be a getter. */
const SPREAD = NIBBLE_SPREAD;

export { setMorphologySimd } from './morphology-simd.js';

function checkArguments(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  requireDimensions(width, height);
  requireLength('src', src, width * height);
  requireLength('out', out, width * height);
  requireNoOverlap('src', src, 'out', out);
}

/** Writes bits[from .. from + words) as 0/1 bytes to the row of `out` starting at `rowStart`. */
function unpackRow(
  out: Uint8Array,
  out32: Int32Array | null,
  rowStart: number,
  width: number,
  words: number,
  bits: Int32Array,
  from: number,
  any: number,
): void {
  if (any === 0) {
    out.fill(0, rowStart, rowStart + width);
    return;
  }
  if (out32 !== null) {
    const full = width >>> 5;
    let q = rowStart >>> 2;
    for (let k = 0; k < full; k++, q += 8) {
      const v = bits[from + k];
      out32[q] = Math.imul(v & 15, SPREAD) & 0x01010101;
      out32[q + 1] = Math.imul((v >>> 4) & 15, SPREAD) & 0x01010101;
      out32[q + 2] = Math.imul((v >>> 8) & 15, SPREAD) & 0x01010101;
      out32[q + 3] = Math.imul((v >>> 12) & 15, SPREAD) & 0x01010101;
      out32[q + 4] = Math.imul((v >>> 16) & 15, SPREAD) & 0x01010101;
      out32[q + 5] = Math.imul((v >>> 20) & 15, SPREAD) & 0x01010101;
      out32[q + 6] = Math.imul((v >>> 24) & 15, SPREAD) & 0x01010101;
      out32[q + 7] = Math.imul(v >>> 28, SPREAD) & 0x01010101;
    }
    if (full < words) {
      const v = bits[from + full];
      const quads = (width & 31) >>> 2;
      for (let j = 0; j < quads; j++) out32[q + j] = Math.imul((v >>> (4 * j)) & 15, SPREAD) & 0x01010101;
    }
    return;
  }
  for (let k = 0; k < words; k++) {
    const v = bits[from + k];
    const x0 = k << 5;
    const end = rowStart + Math.min(x0 + 32, width);
    for (let i = rowStart + x0, b = 0; i < end; i++, b++) out[i] = (v >>> b) & 1;
  }
}

/**
 * One output row of the 3×3 erosion from the packed rows at offsets a (above), b (centre), c
 * (below) of `bits`, written at `dst`. `lastMask` has the in-array bits of the last word set.
 * Out-of-array columns count as foreground (ignored). Returns the OR of the written words.
 */
function erodeRow(bits: Int32Array, a: number, b: number, c: number, dst: number, words: number, lastMask: number): number {
  const last = words - 1;
  let any = 0;
  let carry = 1; // column −1 is outside: neutral for AND
  let cur = bits[a] & bits[b] & bits[c];
  if (last === 0) cur |= ~lastMask;
  for (let k = 0; k < last; k++) {
    let next = bits[a + k + 1] & bits[b + k + 1] & bits[c + k + 1];
    if (k + 1 === last) next |= ~lastMask;
    const r = cur & ((cur << 1) | carry) & ((cur >>> 1) | (next << 31));
    bits[dst + k] = r;
    any |= r;
    carry = cur >>> 31;
    cur = next;
  }
  // last word: bits beyond the row end are set in `cur` (neutral), column `width` likewise
  const r = cur & ((cur << 1) | carry) & ((cur >>> 1) | (1 << 31)) & lastMask;
  bits[dst + last] = r;
  return any | r;
}

/** As erodeRow, for the 3×3 dilation (out-of-array columns count as background). */
function dilateRow(bits: Int32Array, a: number, b: number, c: number, dst: number, words: number, lastMask: number): number {
  const last = words - 1;
  let any = 0;
  let carry = 0;
  let cur = bits[a] | bits[b] | bits[c];
  for (let k = 0; k < last; k++) {
    const next = bits[a + k + 1] | bits[b + k + 1] | bits[c + k + 1];
    const r = cur | (cur << 1) | carry | (cur >>> 1) | (next << 31);
    bits[dst + k] = r;
    any |= r;
    carry = cur >>> 31;
    cur = next;
  }
  const r = (cur | (cur << 1) | carry | (cur >>> 1)) & lastMask;
  bits[dst + last] = r;
  return any | r;
}

function filterRow(
  erode: boolean,
  bits: Int32Array,
  a: number,
  b: number,
  c: number,
  dst: number,
  words: number,
  lastMask: number,
): number {
  return erode ? erodeRow(bits, a, b, c, dst, words, lastMask) : dilateRow(bits, a, b, c, dst, words, lastMask);
}

/** Bits of the last word of a row that lie inside the array. */
function lastWordMask(width: number): number {
  return (width & 31) === 0 ? -1 : (1 << (width & 31)) - 1;
}

/** A single 3×3 erosion (`erode`) or dilation, streamed over a ring of three packed rows. */
function filter1(src: Uint8Array, width: number, height: number, out: Uint8Array, erode: boolean): void {
  if (width === 0 || height === 0) return;
  if (morphologySimd(erode ? 'erode' : 'dilate', src, width, height, out)) return;
  const pixels = width * height;
  const words = (width + 31) >>> 5;
  const lastMask = lastWordMask(width);
  const src32 = byteWords(src, width, pixels);
  const out32 = byteWords(out, width, pixels);
  // slots 0..2: packed source rows y mod 3; slot 3: result row
  const bits = new Int32Array(4 * words);
  const result = 3 * words;
  packRow(src, src32, 0, width, words, bits, 0);
  for (let y = 0; y < height; y++) {
    const centre = (y % 3) * words;
    let below = centre;
    if (y + 1 < height) {
      below = ((y + 1) % 3) * words;
      packRow(src, src32, (y + 1) * width, width, words, bits, below);
    }
    const above = y > 0 ? ((y + 2) % 3) * words : centre;
    const any = filterRow(erode, bits, above, centre, below, result, words, lastMask);
    unpackRow(out, out32, y * width, width, words, bits, result, any);
  }
}

/**
 * Two 3×3 filters in sequence — erosion then dilation (`erodeFirst`, opening) or dilation then
 * erosion (closing) — streamed: the intermediate image exists only as a ring of three packed rows.
 */
function filter2(src: Uint8Array, width: number, height: number, out: Uint8Array, erodeFirst: boolean): void {
  if (width === 0 || height === 0) return;
  if (morphologySimd(erodeFirst ? 'open' : 'close', src, width, height, out)) return;
  const pixels = width * height;
  const words = (width + 31) >>> 5;
  const lastMask = lastWordMask(width);
  const src32 = byteWords(src, width, pixels);
  const out32 = byteWords(out, width, pixels);
  // slots 0..2: packed source rows y mod 3; slots 3..5: first-stage rows y mod 3; slot 6: result row
  const bits = new Int32Array(7 * words);
  const stage = 3 * words;
  const result = 6 * words;
  const slot = (y: number): number => (y % 3) * words;

  // first-stage row 0 needs source rows 0 and 1
  packRow(src, src32, 0, width, words, bits, 0);
  if (height > 1) packRow(src, src32, width, width, words, bits, words);
  filterRow(erodeFirst, bits, 0, 0, height > 1 ? words : 0, stage, words, lastMask);

  for (let y = 0; y < height; y++) {
    // first-stage row y + 1 needs source rows y .. y + 2
    if (y + 1 < height) {
      let below = slot(y + 1);
      if (y + 2 < height) {
        below = slot(y + 2);
        packRow(src, src32, (y + 2) * width, width, words, bits, below);
      }
      filterRow(erodeFirst, bits, slot(y), slot(y + 1), below, stage + slot(y + 1), words, lastMask);
    }
    const centre = stage + slot(y);
    const above = y > 0 ? stage + slot(y + 2) : centre;
    const below = y + 1 < height ? stage + slot(y + 1) : centre;
    const any = filterRow(!erodeFirst, bits, above, centre, below, result, words, lastMask);
    unpackRow(out, out32, y * width, width, words, bits, result, any);
  }
}

/**
 * 3×3 binary erosion: out[i] = 1 iff src[i] and all its in-array 8-neighbours are nonzero.
 * Neighbours outside the array are ignored (not counted as background), so a patch touching the
 * tile edge is not eaten by the edge. src, out: Uint8Array(width*height) of 0/1; must not alias.
 */
export function erode3x3(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  checkArguments(src, width, height, out);
  filter1(src, width, height, out, true);
}

/** 3×3 binary dilation, same edge rule (outside ignored): out[i] = 1 iff any in-array pixel of the 3×3 window around i is nonzero. */
export function dilate3x3(src: Uint8Array, width: number, height: number, out: Uint8Array): void {
  checkArguments(src, width, height, out);
  filter1(src, width, height, out, false);
}

function checkTwoStage(src: Uint8Array, width: number, height: number, scratch: Uint8Array, out: Uint8Array): void {
  requireNoOverlap('src', src, 'scratch', scratch);
  requireNoOverlap('src', src, 'out', out);
  requireNoOverlap('scratch', scratch, 'out', out);
  checkArguments(src, width, height, out);
  requireLength('scratch', scratch, width * height);
}

/**
 * Opening = dilate(erode(src)); removes features narrower than 3 px. scratch and out:
 * Uint8Array(width*height), no aliasing with src or each other. scratch is a workspace whose
 * contents are unspecified afterwards (the streamed implementation does not touch it).
 */
export function open3x3(src: Uint8Array, width: number, height: number, scratch: Uint8Array, out: Uint8Array): void {
  checkTwoStage(src, width, height, scratch, out);
  filter2(src, width, height, out, true);
}

/**
 * Closing = erode(dilate(src)); fills gaps and holes narrower than 3 px. Same edge rule
 * (neighbours outside the array are ignored in both steps), same buffers and aliasing rules as
 * open3x3.
 */
export function close3x3(src: Uint8Array, width: number, height: number, scratch: Uint8Array, out: Uint8Array): void {
  checkTwoStage(src, width, height, scratch, out);
  filter2(src, width, height, out, false);
}
