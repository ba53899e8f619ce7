/**
 * Seeded damage to a GeoTIFF's bytes, for the mutation fuzzing of the reader (test/raster/mutation-fuzz.test.ts,
 * and at scale scripts/fuzz-geotiff.ts): header and IFD bytes, IFD entries' type, count or value set to
 * extremes, pixel data bytes, truncation.
 */
import type { Random } from '../../shared/src/kernels/test-random.js';
import { verifyBlocks, type GeoTiffRaster } from '../../shared/src/raster/index.js';

/** Values that sit on the edges of TIFF's integer fields. */
const EXTREMES = [0, 1, 2, 3, 7, 8, 16, 255, 0xffff, 0x10000, 1 << 20, 0x7fffffff, 0xffffffff];

const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const below = (random: Random, n: number): number => Math.floor(random() * n);

/** One damaged copy of `original`, chosen by `random`. */
export function mutate(original: Uint8Array, random: Random): Uint8Array {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const head = Math.min(bytes.length, 4096);
  switch (below(random, 5)) {
    case 0: // a few bytes of the header, IFD and tag arrays
      for (let k = 1 + below(random, 8); k > 0; k--) bytes[below(random, head)] = below(random, 256);
      return bytes;
    case 1: // 16- or 32-bit words there set to extremes
      for (let k = 1 + below(random, 3); k > 0; k--) {
        const at = below(random, (head - 4) >> 1) << 1;
        const value = pick(random, EXTREMES);
        if (random() < 0.5) view.setUint16(at, value & 0xffff, true);
        else view.setUint32(at, value >>> 0, true);
      }
      return bytes;
    case 2: // pixel data
      for (let k = 1 + below(random, 32); k > 0; k--) bytes[below(random, bytes.length)] = below(random, 256);
      return bytes;
    case 3:
      return bytes.slice(0, below(random, bytes.length));
    default: {
      // an IFD entry of a classic little-endian TIFF: its type, count or value/offset field
      if (bytes[0] !== 0x49 || view.getUint16(2, true) !== 42) {
        bytes[below(random, head)] ^= 0xff;
        return bytes;
      }
      const ifd = view.getUint32(4, true);
      const entry = ifd + 2 + 12 * below(random, view.getUint16(ifd, true));
      const field = below(random, 3);
      if (field === 0) view.setUint16(entry + 2, 1 + below(random, 18), true);
      else view.setUint32(entry + (field === 1 ? 4 : 8), pick(random, EXTREMES) >>> 0, true);
      return bytes;
    }
  }
}

/**
 * Verifies every block of a raster and reads all of it, image and mask, 32 rows at a time, then, of a file of
 * several bands, its last band and its first and last as a many-band pair's detect pass reads some planes
 * (what the fuzzing asks of a damaged file).
 */
export async function readWhole(raster: GeoTiffRaster, onVerifyError: (error: unknown) => void = (e) => { throw e; }): Promise<void> {
  await verifyBlocks(raster).catch(onVerifyError);
  const { width, height, bands } = raster.info;
  for (let y = 0; y < height; y += 32) {
    await raster.readWindow(0, y, width, Math.min(32, height - y));
    await raster.readMaskWindow(0, y, width, Math.min(32, height - y));
  }
  if (bands < 2) return;
  const last = bands - 1;
  raster.keepPlanes([last]);
  for (let y = 0; y < height; y += 32) {
    const rows = Math.min(32, height - y);
    await raster.readWindowNative(0, y, width, rows, undefined, false, [last]);
    await raster.readWindowNative(0, y, width, rows, undefined, y + rows >= height, [0, last]);
  }
}
