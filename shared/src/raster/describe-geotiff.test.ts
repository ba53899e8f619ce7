import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeGeoTiff, hashBands } from './describe-geotiff.js';
import { openGeoTiff } from './geotiff-source.js';

const MATRIX = fileURLToPath(new URL('../../../fixtures/raster/matrix/', import.meta.url));
const COG = new Uint8Array(readFileSync(`${MATRIX}uint8-cog-deflate.tif`));
const GDAL = (JSON.parse(readFileSync(`${MATRIX}gdal-read.json`, 'utf8')) as { files: Record<string, { bandSha256: string[] }> }).files;

/** Offset of the "next IFD" pointer of the first IFD of a little-endian classic TIFF. */
function nextPointerOffset(tiff: Uint8Array): number {
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const ifd = view.getUint32(4, true);
  return ifd + 2 + view.getUint16(ifd, true) * 12;
}

function withNextPointer(value: number): Uint8Array {
  const out = COG.slice();
  new DataView(out.buffer).setUint32(nextPointerOffset(out), value, true);
  return out;
}

describe('describeGeoTiff', () => {
  it('reads bytes as it reads the file: overviews, hashes equal to GDAL', async () => {
    const d = await describeGeoTiff({ bytes: COG }, 'cog.tif');
    expect(d.overviews).toEqual([[40, 32], [20, 16], [10, 8]]);
    expect(d.bandSha256).toEqual(GDAL['uint8-cog-deflate.tif']!.bandSha256);
    expect(d.fileBytes).toBe(COG.byteLength);
    expect(d.warnings).toEqual([]);
  });

  it('hashes window by window: 3-row and 1-row windows give the whole-image hashes', async () => {
    for (const name of ['uint16-lzw-pred2-tiled.tif', 'float32-deflate-pred3-tiled.tif', 'int16-deflate-pred2-strips-band.tif']) {
      const raster = await openGeoTiff({ path: `${MATRIX}${name}` }, name);
      try {
        expect(await hashBands(raster, 80 * 4 * 3)).toEqual(GDAL[name]!.bandSha256);
        expect(await hashBands(raster, 1)).toEqual(GDAL[name]!.bandSha256);
      } finally {
        await raster.close();
      }
    }
  });

  it('an IFD chain that loops back is refused, as ingest refuses it (never a hang)', async () => {
    const view = new DataView(COG.buffer, COG.byteOffset);
    await expect(describeGeoTiff({ bytes: withNextPointer(view.getUint32(4, true)) }, 'loop.tif')).rejects.toMatchObject({
      code: 'not_geotiff',
      field: 'IFD',
      message: expect.stringMatching(/^loop\.tif: IFD 1 at offset \d+ is an IFD already read: the IFD chain loops/),
    });
  });

  it('a next-IFD pointer outside the file is refused, naming it', async () => {
    await expect(describeGeoTiff({ bytes: withNextPointer(0xfffffff0) }, 'outside.tif')).rejects.toMatchObject({
      code: 'not_geotiff',
      field: 'IFD',
      message: expect.stringMatching(/^outside\.tif: IFD 1 offset 4294967280 lies outside the file/),
    });
  });

  it('a file openGeoTiff refuses is refused with the same error', async () => {
    const truncated = COG.slice(0, 100);
    await expect(describeGeoTiff({ bytes: truncated }, 'short.tif')).rejects.toMatchObject({ code: 'not_geotiff', file: 'short.tif' });
  });
});
