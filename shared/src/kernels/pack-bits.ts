/**
 * Bit-packed rows of 0 / non-0 byte masks, shared by the kernels that work on 32 pixels a word
 * (morphology.ts, label-components.ts): a row of `width` mask bytes becomes ceil(width / 32) words, pixel
 * x at bit x % 32 of word x >> 5.
 */

/**
 * Multiplier that moves bit k of a nibble to bit 8k (unpacking a nibble into four 0 / 1 bytes) and bit
 * 8k + 7 to bit 28 + k (packing the top bits of four bytes into a nibble).
 */
export const NIBBLE_SPREAD = 0x00204081;

/** Four mask bytes read as one little-endian word → their non-zero flags as a nibble (byte j → bit j). */
export function nibbleOfBytes(w: number): number {
  return Math.imul((((w & 0x7f7f7f7f) + 0x7f7f7f7f) | w) & 0x80808080, NIBBLE_SPREAD) >>> 28;
}

/**
 * Int32 view of the first `pixels` bytes of `bytes` (four pixels a word), or null when rows do not
 * start on a word (width not a multiple of 4, or the array not 4-byte aligned): then rows go byte by byte.
 */
export function byteWords(bytes: Uint8Array, width: number, pixels: number): Int32Array | null {
  if ((width & 3) !== 0 || (bytes.byteOffset & 3) !== 0) return null;
  return new Int32Array(bytes.buffer, bytes.byteOffset, pixels >>> 2);
}

/**
 * Packs the mask row starting at byte `rowStart` into bits[dst .. dst + words) (bits past the row end
 * are 0). `mask32` is byteWords(mask, …). Returns the OR of the packed words (0 iff the row is all 0).
 */
export function packRow(mask: Uint8Array, mask32: Int32Array | null, rowStart: number, width: number, words: number, bits: Int32Array, dst: number): number {
  let any = 0;
  if (mask32 !== null) {
    const full = width >>> 5;
    let q = rowStart >>> 2;
    for (let k = 0; k < full; k++, q += 8) {
      const a0 = mask32[q];
      const a1 = mask32[q + 1];
      const a2 = mask32[q + 2];
      const a3 = mask32[q + 3];
      const a4 = mask32[q + 4];
      const a5 = mask32[q + 5];
      const a6 = mask32[q + 6];
      const a7 = mask32[q + 7];
      let v = 0;
      // a word of all-zero bytes is the common case of a sparse mask: skip the arithmetic
      if ((a0 | a1 | a2 | a3 | a4 | a5 | a6 | a7) !== 0) {
        v =
          nibbleOfBytes(a0) |
          (nibbleOfBytes(a1) << 4) |
          (nibbleOfBytes(a2) << 8) |
          (nibbleOfBytes(a3) << 12) |
          (nibbleOfBytes(a4) << 16) |
          (nibbleOfBytes(a5) << 20) |
          (nibbleOfBytes(a6) << 24) |
          (nibbleOfBytes(a7) << 28);
      }
      bits[dst + k] = v;
      any |= v;
    }
    if (full < words) {
      // last partial word: width & 31 is a multiple of 4 here
      const quads = (width & 31) >>> 2;
      let v = 0;
      for (let j = 0; j < quads; j++) v |= nibbleOfBytes(mask32[q + j]) << (4 * j);
      bits[dst + full] = v;
      any |= v;
    }
    return any;
  }
  for (let k = 0; k < words; k++) {
    const x0 = k << 5;
    const end = rowStart + Math.min(x0 + 32, width);
    let v = 0;
    for (let i = rowStart + x0, b = 0; i < end; i++, b++) v |= ((0 - mask[i]) >>> 31) << b;
    bits[dst + k] = v;
    any |= v;
  }
  return any;
}
