import { readFile, writeFile } from 'node:fs/promises';

/**
 * Overwrites the first bytes of block `index`'s stored (compressed) data of a little-endian classic tiled
 * TIFF, in place: the block can no longer be decoded, the file's structure is intact. Returns the new bytes.
 */
export async function garbleBlock(path: string, index: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  const v = new DataView(bytes.buffer);
  const ifd = v.getUint32(4, true);
  for (let i = 0; i < v.getUint16(ifd, true); i++) {
    const p = ifd + 2 + i * 12;
    if (v.getUint16(p, true) !== 324) continue; // TileOffsets (LONG)
    const offset = v.getUint32(v.getUint32(p + 8, true) + index * 4, true);
    bytes.fill(0xff, offset, offset + 16);
    await writeFile(path, bytes);
    return bytes;
  }
  throw new Error('no TileOffsets');
}
