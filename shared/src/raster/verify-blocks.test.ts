/**
 * verifyBlocks: every strip or tile of every plane is decoded once; the first block that cannot be is
 * reported as 'corrupt_raster' naming the block, where it lies and why. Real files (fixtures/raster/decode,
 * GDAL-written), damaged here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { openGeoTiff, verifyBlocks } from './index.js';
import { WindowDecoder } from './window-decoder.js';

const fixture = (rel: string) => fileURLToPath(new URL(`../../../fixtures/${rel}`, import.meta.url));
const decodeFixture = (file: string) => new Uint8Array(readFileSync(fixture(`raster/decode/${file}`)));
const decodeFiles = (JSON.parse(readFileSync(fixture('raster/decode/manifest.json'), 'utf8')) as Array<{ file: string }>).map((e) => e.file);

/** Block `index`'s stored bytes and table entries in a classic TIFF (either byte order). */
function blockEntry(bytes: Uint8Array, index: number): { offset: number; count: number; setCount(n: number): void; setOffset(n: number): void } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint16(0, false) === 0x4949;
  const ifd = v.getUint32(4, le);
  let offset = -1;
  let count = -1;
  let countAt = -1;
  let countSize = 4;
  let offsetAt = -1;
  let offsetSize = 4;
  for (let i = 0; i < v.getUint16(ifd, le); i++) {
    const p = ifd + 2 + i * 12;
    const tag = v.getUint16(p, le);
    const size = v.getUint16(p + 2, le) === 3 ? 2 : 4;
    const at = (v.getUint32(p + 4, le) * size <= 4 ? p + 8 : v.getUint32(p + 8, le)) + index * size;
    const read = () => (size === 2 ? v.getUint16(at, le) : v.getUint32(at, le));
    if (tag === 273 || tag === 324) {
      offset = read();
      offsetAt = at;
      offsetSize = size;
    }
    if (tag === 279 || tag === 325) {
      count = read();
      countAt = at;
      countSize = size;
    }
  }
  const write = (at: number, size: number, n: number) => (size === 2 ? v.setUint16(at, n, le) : v.setUint32(at, n, le));
  return { offset, count, setCount: (n) => write(countAt, countSize, n), setOffset: (n) => write(offsetAt, offsetSize, n) };
}

/** The error verifyBlocks rejects with (fails the test when it resolves or throws anything else). */
async function verifyError(bytes: Uint8Array, name: string): Promise<InvalidInputError> {
  const raster = await openGeoTiff({ bytes }, name);
  try {
    await verifyBlocks(raster);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  } finally {
    await raster.close();
  }
  throw new Error(`${name}: verifyBlocks passed a damaged file`);
}

async function verifies(bytes: Uint8Array, name: string): Promise<void> {
  const raster = await openGeoTiff({ bytes }, name);
  try {
    await expect(verifyBlocks(raster)).resolves.toBeUndefined();
  } finally {
    await raster.close();
  }
}

describe('verifyBlocks', () => {
  it.each(decodeFiles)('passes %s (every layout the decoder reads)', async (file) => {
    await verifies(decodeFixture(file), file);
  });

  it('passes a JPEG file (blocks decoded asynchronously) and a local path', async () => {
    await verifies(new Uint8Array(readFileSync(fixture('raster/jpeg.tif'))), 'jpeg.tif');
    const raster = await openGeoTiff({ path: fixture('raster/uint8-tiled-packbits.tif') }, 'uint8-tiled-packbits.tif');
    await expect(verifyBlocks(raster)).resolves.toBeUndefined();
    await raster.close();
  });

  it('reports a truncated tile by index, position and reason', async () => {
    // 45 x 37, 32 x 32 tiles, 4 bands pixel-interleaved: tiles 0..3, tile 3 at x 32, y 32
    const bytes = decodeFixture('u16-4b-deflate-pred2-tiled32.tif');
    const block = blockEntry(bytes, 3);
    block.setCount(Math.floor(block.count / 3));
    const e = await verifyError(bytes, 'short.tif');
    expect(e.code).toBe('corrupt_raster');
    expect(e.file).toBe('short.tif');
    expect(e.field).toBe('TileOffsets[3]');
    expect(e.message).toMatch(/^short\.tif: block 3 \(tile at x 32, y 32\) cannot be decoded: \S/);
  });

  it('reports a garbled tile of a planar file with its band, and the blocks before it pass', async () => {
    // 4 tiles per band: block 13 is band 4's tile at x 32, y 0
    const bytes = decodeFixture('u16-4b-deflate-pred2-planar-tiled32.tif');
    const { offset } = blockEntry(bytes, 13);
    bytes.fill(0xff, offset, offset + 8);
    const e = await verifyError(bytes, 'garbled.tif');
    expect(e).toMatchObject({ code: 'corrupt_raster', file: 'garbled.tif', field: 'TileOffsets[13]' });
    expect(e.message).toMatch(/^garbled\.tif: block 13 \(tile at x 32, y 0, band 4\) cannot be decoded: .*(zlib|Deflate|header|incorrect)/i);
  });

  it('reports a garbled LZW strip and a short uncompressed strip by their rows', async () => {
    // 7-row strips of a 37-row image: 6 per band; block 8 is band 2's strip at y 14
    const lzw = decodeFixture('u16-4b-lzw-pred2-bigendian-planar-strips7.tif');
    const { offset, count } = blockEntry(lzw, 8);
    lzw.fill(0xff, offset, offset + count);
    const e = await verifyError(lzw, 'lzw.tif');
    expect(e).toMatchObject({ code: 'corrupt_raster', field: 'StripOffsets[8]' });
    expect(e.message).toMatch(/^lzw\.tif: block 8 \(strip at y 14, band 2\) cannot be decoded: \S/);

    const raw = decodeFixture('u16-4b-none-strips7.tif');
    const strip = blockEntry(raw, 5);
    strip.setCount(strip.count - 2);
    const r = await verifyError(raw, 'raw.tif');
    expect(r).toMatchObject({ code: 'corrupt_raster', field: 'StripOffsets[5]' });
    // the last strip holds the image's last 2 rows: 2 x 45 pixels x 4 bands x 2 bytes
    expect(r.message).toBe(`raw.tif: block 5 (strip at y 35) cannot be decoded: stores ${strip.count - 2} bytes, ${strip.count} expected (uncompressed)`);
  });

  it('passes sparse (absent) tiles and goes on to the present ones', async () => {
    // GDAL's sparse file: tiles 1..3 absent (offset 0, byte count 0)
    const gdal = decodeFixture('u16-4b-sparse-deflate-tiled32.tif');
    expect([0, 1, 2, 3].map((i) => blockEntry(gdal, i).count === 0)).toEqual([false, true, true, true]);
    await verifies(gdal, 'sparse-gdal.tif');
    // tiles 0..2 made absent, tile 3 garbled: the absent ones pass, tile 3 is reported
    const bytes = decodeFixture('u16-4b-deflate-pred2-tiled32.tif');
    for (const i of [0, 1, 2]) {
      blockEntry(bytes, i).setCount(0);
      blockEntry(bytes, i).setOffset(0);
    }
    await verifies(bytes.slice(), 'sparse.tif');
    const { offset } = blockEntry(bytes, 3);
    bytes.fill(0xff, offset, offset + 8);
    expect(await verifyError(bytes, 'sparse.tif')).toMatchObject({ code: 'corrupt_raster', field: 'TileOffsets[3]' });
  });

  it('decodes stored bytes that several blocks point at once, and reports the first block that uses bad ones', async () => {
    // 37 rows in 7-row strips: strips 0..4 of 7 rows, strip 5 of 2; strips 1..4 made to point at strip 0's bytes
    const bytes = decodeFixture('f32-3b-deflate-pred3-strips7.tif');
    const first = blockEntry(bytes, 0);
    for (const i of [1, 2, 3, 4]) {
      blockEntry(bytes, i).setOffset(first.offset);
      blockEntry(bytes, i).setCount(first.count);
    }
    // a spy on the block decoder (not a stand-in: it calls through), counting decodes
    const decodes = vi.spyOn(WindowDecoder.prototype as unknown as { block: (...args: unknown[]) => void }, 'block');
    try {
      await verifies(bytes.slice(), 'shared.tif');
      expect(decodes).toHaveBeenCalledTimes(2); // strip 0's bytes once, strip 5
    } finally {
      decodes.mockRestore();
    }
    bytes.fill(0xff, first.offset, first.offset + 8);
    expect(await verifyError(bytes, 'shared.tif')).toMatchObject({ code: 'corrupt_raster', field: 'StripOffsets[0]' });
  });

  it('skips sparse blocks without filling them', async () => {
    const bytes = decodeFixture('u16-4b-deflate-pred2-tiled32.tif');
    for (const i of [0, 1, 2]) {
      blockEntry(bytes, i).setCount(0);
      blockEntry(bytes, i).setOffset(0);
    }
    const decodes = vi.spyOn(WindowDecoder.prototype as unknown as { block: (...args: unknown[]) => void }, 'block');
    try {
      await verifies(bytes, 'sparse.tif');
      expect(decodes).toHaveBeenCalledTimes(1); // tile 3 only
    } finally {
      decodes.mockRestore();
    }
  });

  it('reports a cut JPEG tile (decoded asynchronously)', async () => {
    const e = await verifyError(new Uint8Array(readFileSync(fixture('hostile/jpeg-truncated-tile.tif'))), 'jpeg-cut.tif');
    expect(e).toMatchObject({ code: 'corrupt_raster', field: 'TileOffsets[0]' });
    expect(e.message).toMatch(/^jpeg-cut\.tif: block 0 \(tile at x 0, y 0\) cannot be decoded: \S/);
  });

  it('leaves window reads as they were', async () => {
    const bytes = decodeFixture('u16-4b-lzw-pred2-tiled32.tif');
    const fresh = await openGeoTiff({ bytes }, 'window.tif');
    const want = Array.from(await fresh.readWindowNative(5, 3, 40, 30));
    await fresh.close();
    const verified = await openGeoTiff({ bytes }, 'window.tif');
    await verifyBlocks(verified);
    expect(Array.from(await verified.readWindowNative(5, 3, 40, 30))).toEqual(want);
    await verified.close();
  });
});
