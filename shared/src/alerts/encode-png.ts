// sharp loads with the first evidence image: a batch without alerts never needs it.
import { loadSharp } from '../util/load-sharp.js';

/**
 * Encodes 8-bit RGB as PNG. Fixed settings so the same pixels always give the same bytes: no filter
 * heuristics, no palette quantisation, deflate level 6 (about 3 % larger than 9 on evidence images and
 * 3 to 6 times faster). The bytes depend on the zlib-ng bundled with the pinned sharp version; the pinned
 * hashes in evidence.test.ts fail if an upgrade or a machine changes them.
 */
export async function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const buffer = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
