import sharp from 'sharp';

// One module owns sharp's global settings: no cache (chips are written once) and deterministic output.
sharp.cache(false);

/** Encodes 8-bit RGB as PNG. Fixed settings so the same pixels always give the same bytes. */
export async function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  const buffer = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
