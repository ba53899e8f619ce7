import { readFile } from 'node:fs/promises';

/**
 * A file's bytes as a Uint8Array over the buffer readFile filled, not a copy of it (`new Uint8Array(buffer)`
 * copies: for a 150 MB layer or a GeoTIFF that is the file's size again, allocated and written for nothing).
 */
export async function readBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
