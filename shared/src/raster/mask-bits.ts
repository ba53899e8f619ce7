/**
 * Unpacking the rows of a 1-bit mask (a GDAL internal mask, TIFF FillOrder 1: the first pixel of each byte
 * in its top bit; every row starts on a byte) into one byte a pixel.
 */

/**
 * out[r·width + i] = bit (x0 + i) of row r of `bytes` (rows of `rowBytes` bytes, pixel p in byte p >> 3 at
 * bit 7 − (p & 7)), as 0 or 1, for i < width and r < height.
 */
export function unpackMaskBits(bytes: Uint8Array, rowBytes: number, x0: number, width: number, height: number, out: Uint8Array): void {
  if (!(Number.isInteger(x0) && x0 >= 0 && x0 < 8 && Number.isInteger(width) && width >= 0 && Number.isInteger(height) && height >= 0)) {
    throw new RangeError(`unpackMaskBits: x0 (${x0}) must be 0…7 and the window whole`);
  }
  if (rowBytes * 8 < x0 + width || bytes.length < rowBytes * height || out.length < width * height) {
    throw new RangeError(`unpackMaskBits: ${height} rows of ${rowBytes} bytes cannot hold pixels ${x0}…${x0 + width - 1}, or out is short`);
  }
  for (let r = 0; r < height; r++) {
    const row = r * rowBytes;
    const to = r * width;
    for (let i = 0; i < width; i++) {
      const p = x0 + i;
      out[to + i] = (bytes[row + (p >> 3)]! >> (7 - (p & 7))) & 1;
    }
  }
}
