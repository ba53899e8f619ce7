/**
 * Drone orthophotos mark the ground they did not cover with an alpha band (ExtraSamples: transparency), not
 * with a nodata value. shoutu reads that band as validity: transparent pixels are never compared or reported,
 * the band is not imagery (an RGBA file is compared as red, green, blue), and a file resampled onto the other
 * file's grid does not blend the transparent black into the covered ground. Checked as equivalences: an RGBA
 * pair gives the bytes of the same RGB pair with the transparent pixels stored as nodata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, detectPair, directorySource, runBatch } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { ingestReport } from '../../cli/ingest-report.js';
import { demoParameters, fixture, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { runShoutu } from '../support/cli.js';
import { alertGeometry as geometry, expectSameDetection as same, ingestTaizhouEpochs, sameEvidence } from '../support/equivalence.js';

/**
 * From a fixture scene, its red, green and blue bands (clipped to 1…255, so 0 is free for nodata), with the
 * pixels of a polygon-shaped region made transparent: `rgba` (the region black, alpha 0, no nodata), `mask`
 * (the region black, 0 in a GDAL internal mask, no nodata; tiled, DEFLATE) or `nodata` (the region 0, nodata 0). `srs` other than "same": the bands warped there first (nearest), and
 * the region cut in the warped pixels. `alpha`: the ExtraSamples flavour (GDAL's ALPHA creation option).
 */
const MAKE = `
import sys
import numpy as np
from osgeo import gdal
src, out, kind, srs, alpha, region = sys.argv[1:7]
ds = gdal.Translate('/vsimem/rgb.tif', src, bandList=[3, 2, 1])
if srs != 'same':
    ds = gdal.Warp('/vsimem/warped.tif', ds, dstSRS=srs, resampleAlg='near')
rgb = np.clip(ds.ReadAsArray(), 1, 255).astype(np.uint8)
h, w = rgb.shape[1:]
yy, xx = np.mgrid[0:h, 0:w]
x0, y0, x1 = [float(v) for v in region.split(',')]
hidden = (xx < x0 * w) | ((yy < y0 * h) & (xx < x1 * w))
rgb[:, hidden] = 0
bands = 4 if kind == 'rgba' else 3
options = ['PHOTOMETRIC=RGB', 'ALPHA=' + alpha] if kind == 'rgba' else ['TILED=YES', 'BLOCKXSIZE=128', 'BLOCKYSIZE=128', 'COMPRESS=DEFLATE'] if kind == 'mask' else []
gdal.SetConfigOption('GDAL_TIFF_INTERNAL_MASK', 'YES')
o = gdal.GetDriverByName('GTiff').Create(out, w, h, bands, gdal.GDT_Byte, options)
o.SetGeoTransform(ds.GetGeoTransform())
o.SetProjection(ds.GetProjection())
for b in range(3):
    o.GetRasterBand(b + 1).WriteArray(rgb[b])
if kind == 'rgba':
    o.GetRasterBand(4).WriteArray(np.where(hidden, 0, 255).astype(np.uint8))
elif kind == 'mask':
    o.CreateMaskBand(gdal.GMF_PER_DATASET)
    o.GetRasterBand(1).GetMaskBand().WriteArray(np.where(hidden, 0, 255).astype(np.uint8))
else:
    for b in range(3):
        o.GetRasterBand(b + 1).SetNoDataValue(0)
o = None
`;

let dir: string;
const make = (epoch: string, kind: 'rgba' | 'mask' | 'nodata', region: string, srs = 'same', alpha = 'YES') => {
  const path = join(dir, `${epoch}-${kind}-${srs.replace(':', '')}-${alpha}.tif`);
  runGdalScript(MAKE, [fixture('taizhou', epoch, 'scene.tif'), path, kind, srs, alpha, region]);
  return { path };
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-alpha-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The before file misses a strip on the west, the after file a corner block: the pair shares neither.
const BEFORE_HIDDEN = '0.1,0,0';
const AFTER_HIDDEN = '0,0.35,0.5';

/** A store holding the fixture's two epochs as `kind` files (batch.json's bands: red, green, blue; a drone's sensor), and each batch's results. */
let ingests = 0;
const ingestAs = (kind: 'rgba' | 'mask' | 'nodata') =>
  ingestTaizhouEpochs(dir, `${kind}-${++ingests}`, (date, k) => make(date, kind, k === 0 ? BEFORE_HIDDEN : AFTER_HIDDEN).path, {
    platform: 'drone',
    sensor: 'DJI Zenmuse P1',
    bands: ['red', 'green', 'blue'],
  });

describe('alpha bands (transparency) as validity', () => {
  it('reads the alpha band GDAL marks, unassociated or premultiplied, and no other', async () => {
    for (const [alpha, expected] of [['YES', 3], ['PREMULTIPLIED', 3]] as const) {
      const raster = await openGeoTiff(make('2000-03-17', 'rgba', BEFORE_HIDDEN, 'same', alpha), 'rgba.tif');
      expect(raster.info.alphaBand).toBe(expected);
      await raster.close();
    }
    const plain = await openGeoTiff(make('2000-03-17', 'nodata', BEFORE_HIDDEN), 'rgb.tif');
    expect(plain.info.alphaBand).toBeNull();
    await plain.close();
    const six = await openGeoTiff({ path: fixture('taizhou', '2000-03-17', 'scene.tif') }, 'scene.tif');
    expect(six.info.alphaBand).toBeNull();
    await six.close();
    // GDAL writes any 4-band byte copy with RGB + alpha tags, and the bands' real interpretation (here Gray,
    // Undefined…) in its metadata, which is what GDAL reads: four Landsat bands are not RGB + alpha.
    const four = join(dir, 'four.tif');
    runGdalScript(`import sys\nfrom osgeo import gdal\ngdal.Translate(sys.argv[2], sys.argv[1], bandList=[1, 2, 3, 4])`, [fixture('taizhou', '2000-03-17', 'scene.tif'), four]);
    const landsat4 = await openGeoTiff({ path: four }, 'four.tif');
    expect(landsat4.info.alphaBand).toBeNull();
    await landsat4.close();
  });

  it('an RGBA pair is compared as red, green, blue with its transparent pixels left out: the bytes of the pair with them as nodata', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const rgba = await detectPair({ before: make('2000-03-17', 'rgba', BEFORE_HIDDEN), after: make('2003-02-06', 'rgba', AFTER_HIDDEN), parameters });
    expect(rgba.summary.bands).toEqual(['red', 'green', 'blue']);
    expect(rgba.summary).not.toHaveProperty('fileBands');
    // RGB bytes without a nodata value: 0 in all three bands is fill too (validity typeFill)
    expect(rgba.summary.uncovered).toEqual({ before: { alphaBand: 3, fill: 0 }, after: { alphaBand: 3, fill: 0 } });
    const nodata = await detectPair({ before: make('2000-03-17', 'nodata', BEFORE_HIDDEN), after: make('2003-02-06', 'nodata', AFTER_HIDDEN), parameters });
    expect(nodata.summary).not.toHaveProperty('uncovered');
    same(rgba, nodata);
    // the transparent pixels are a good share of the pair, and none is valid
    const { width, height } = rgba.summary;
    expect(rgba.summary.validPixels).toBeLessThan(0.8 * width * height);
    expect(rgba.patches.length).toBeGreaterThan(0);
    same(await detectPair({ before: make('2000-03-17', 'rgba', BEFORE_HIDDEN), after: make('2003-02-06', 'rgba', AFTER_HIDDEN), parameters, threads: 2 }), rgba);
  });

  it('an RGBA after file on another grid is resampled without blending its transparent pixels in', async () => {
    const parameters = defaultParameters();
    const before = make('2000-03-17', 'nodata', BEFORE_HIDDEN);
    const rgba = await detectPair({ before, after: make('2003-02-06', 'rgba', AFTER_HIDDEN, 'EPSG:4326'), parameters });
    const nodata = await detectPair({ before, after: make('2003-02-06', 'nodata', AFTER_HIDDEN, 'EPSG:4326'), parameters });
    expect(rgba.summary.resampled?.after.coveredPixels).toBe(nodata.summary.resampled?.after.coveredPixels);
    same(rgba, nodata);
  });

  it('a band list that counts the alpha band is refused, saying the alpha band is not listed', async () => {
    const file = make('2000-03-17', 'rgba', BEFORE_HIDDEN);
    await expect(detectPair({ before: file, after: file, bands: ['blue', 'green', 'red', 'nir'], parameters: defaultParameters() })).rejects.toThrow(/--bands lists 4 bands but .* has 3 \(and an alpha band, which is not listed\)/);
  });

  it('ingest takes an RGBA drone epoch as its red, green and blue bands, the transparent ground never compared: the 图斑 of the epochs with it as nodata', async () => {
    const rgba = await ingestAs('rgba');
    const nodata = await ingestAs('nodata');
    const [first, second] = rgba.results;
    expect(first!.ingest.scenes[0]!.validity).toEqual({ alphaBand: 3, fill: 0 });
    expect(ingestReport(first!.ingest, { files: 1, bytes: 0 })).toContain('  ground a scene does not cover (left out like nodata)\n    scene.tif: marked by its alpha band 4\n');
    expect(ingestReport(nodata.results[0]!.ingest, { files: 1, bytes: 0 })).not.toContain('does not cover');
    expect(second!.ingest.tiles.length).toBeGreaterThan(0);
    expect(second!.finalize.alerts.length).toBeGreaterThan(0);
    expect(geometry(second!.finalize.alerts)).toBe(geometry(nodata.results[1]!.finalize.alerts));
    // The evidence shows the uncovered ground as no data, and stretches the colours over the covered ground
    // only: the same images as from the epochs with it stored as nodata.
    await sameEvidence(rgba.store, nodata.store, second!.finalize.alerts);
  });

  it('a batch.json that lists the alpha band as imagery is refused for that file, saying which band is the alpha', async () => {
    const store = createStore({ kind: 'local', dir: join(dir, 'store-listed') });
    const folder = join(dir, 'batch-listed');
    await mkdir(folder);
    await writeFile(join(folder, 'scene.tif'), await readFile(make('2000-03-17', 'rgba', BEFORE_HIDDEN).path));
    const manifest = JSON.parse(await readFile(join(TAIZHOU_EPOCHS[0], 'batch.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands: ['blue', 'green', 'red', 'nir'] }));
    await expect(runBatch(store, directorySource(folder), demoParameters())).rejects.toThrow(
      /scene\.tif: has 4 band\(s\) but batch\.json lists 4 in "bands"; its band 4 is marked as alpha \(transparency\), which is not listed: "bands" names the 3 image band\(s\) before it/,
    );
  });

  it('reads a GDAL internal mask as GDAL does, JPEG or DEFLATE, tiled or in strips, over any window', async () => {
    const WRITE = `
import sys
import numpy as np
from osgeo import gdal
gdal.SetConfigOption('GDAL_TIFF_INTERNAL_MASK', 'YES')
src, out, options = sys.argv[1], sys.argv[2], sys.argv[3].split(';')
ds = gdal.GetDriverByName('MEM').CreateCopy('', gdal.Translate('/vsimem/rgb.tif', src, bandList=[3, 2, 1]))
h, w = ds.RasterYSize, ds.RasterXSize
yy, xx = np.mgrid[0:h, 0:w]
mask = np.where(((xx * 7 + yy * 3) % 97 < 30) | ((xx - 200) ** 2 + (yy - 150) ** 2 < 60 ** 2), 0, 255).astype(np.uint8)
ds.CreateMaskBand(gdal.GMF_PER_DATASET)
ds.GetRasterBand(1).GetMaskBand().WriteArray(mask)
written = gdal.Translate(out, ds, creationOptions=options)
written = None
back = gdal.Open(out)
np.save(out + '.npy', (back.GetRasterBand(1).GetMaskBand().ReadAsArray() > 0).astype(np.uint8))
`;
    const flavours = ['COMPRESS=JPEG;PHOTOMETRIC=YCBCR;TILED=YES;BLOCKXSIZE=128;BLOCKYSIZE=64', 'COMPRESS=DEFLATE;TILED=YES', 'COMPRESS=DEFLATE;BLOCKYSIZE=7', 'COMPRESS=PACKBITS'];
    for (const [k, options] of flavours.entries()) {
      const path = join(dir, `masked-${k}.tif`);
      runGdalScript(WRITE, [fixture('taizhou', '2000-03-17', 'scene.tif'), path, options]);
      const expected = await readNpyUint8(`${path}.npy`);
      const raster = await openGeoTiff({ path }, 'masked.tif');
      expect(raster.info.internalMask).toBe(true);
      const { width, height } = raster.info;
      expect(Buffer.from((await raster.readMaskWindow(0, 0, width, height))!).equals(Buffer.from(expected))).toBe(true);
      for (const [x, y, w, h] of [[13, 7, 1, 1], [3, 250, 129, 60], [199, 0, 201, 17], [390, 390, 10, 10]] as const) {
        const got = (await raster.readMaskWindow(x, y, w, h))!;
        const want = new Uint8Array(w * h);
        for (let r = 0; r < h; r++) want.set(expected.subarray((y + r) * width + x, (y + r) * width + x + w), r * w);
        expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
      }
      await raster.close();
    }
    const plain = await openGeoTiff({ path: fixture('taizhou', '2000-03-17', 'scene.tif') }, 'scene.tif');
    expect(plain.info.internalMask).toBe(false);
    expect(await plain.readMaskWindow(0, 0, 4, 4)).toBeNull();
    await plain.close();
  });

  it('a pair whose uncovered ground is in internal masks gives the bytes of the pair with it as nodata, on one grid or resampled', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const nodata = await detectPair({ before: make('2000-03-17', 'nodata', BEFORE_HIDDEN), after: make('2003-02-06', 'nodata', AFTER_HIDDEN), parameters });
    const maskedPair = await detectPair({ before: make('2000-03-17', 'mask', BEFORE_HIDDEN), after: make('2003-02-06', 'mask', AFTER_HIDDEN), parameters });
    expect(maskedPair.summary.uncovered).toEqual({ before: { internalMask: true, fill: 0 }, after: { internalMask: true, fill: 0 } });
    same(maskedPair, nodata);
    const cli = runShoutu(['detect', '--before', make('2000-03-17', 'rgba', BEFORE_HIDDEN).path, '--after', make('2003-02-06', 'mask', AFTER_HIDDEN).path, '--out', join(dir, 'cli-out')]);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain(': ground its alpha band 4 marks as not covered is left out (255 in change.tif)\n');
    expect(cli.stdout).toContain(': ground its internal mask marks as not covered is left out (255 in change.tif)\n');
    same(await detectPair({ before: make('2000-03-17', 'mask', BEFORE_HIDDEN), after: make('2003-02-06', 'mask', AFTER_HIDDEN), parameters, threads: 2 }), nodata);
    const before = make('2000-03-17', 'nodata', BEFORE_HIDDEN);
    same(
      await detectPair({ before, after: make('2003-02-06', 'mask', AFTER_HIDDEN, 'EPSG:4326'), parameters: defaultParameters() }),
      await detectPair({ before, after: make('2003-02-06', 'nodata', AFTER_HIDDEN, 'EPSG:4326'), parameters: defaultParameters() }),
    );
    const masked = await ingestAs('mask');
    expect(masked.results[0]!.ingest.scenes[0]!.validity).toEqual({ internalMask: true, fill: 0 });
    expect(ingestReport(masked.results[0]!.ingest, { files: 1, bytes: 0 })).toContain('    scene.tif: marked by its internal mask\n');
    const reference = await ingestAs('nodata');
    expect(geometry(masked.results[1]!.finalize.alerts)).toBe(geometry(reference.results[1]!.finalize.alerts));
    await sameEvidence(masked.store, reference.store, masked.results[1]!.finalize.alerts);
  });

  it('a file whose internal mask cannot be decoded is refused at ingest, naming the mask', async () => {
    const GARBLE_MASK = `
import sys, struct
data = bytearray(open(sys.argv[1], 'rb').read())
offset = struct.unpack('<I', data[4:8])[0]
while offset:
    count = struct.unpack('<H', data[offset:offset + 2])[0]
    tags = {}
    for i in range(count):
        entry = data[offset + 2 + 12 * i:offset + 14 + 12 * i]
        tag, kind, n = struct.unpack('<HHI', entry[:8])
        tags[tag] = entry[8:12]
    if 254 in tags and struct.unpack('<I', tags[254])[0] == 4:
        first = struct.unpack('<I', data[struct.unpack('<I', tags[324])[0]:][:4])[0]
        data[first:first + 16] = b'\\xff' * 16
    offset = struct.unpack('<I', data[offset + 2 + 12 * count:offset + 6 + 12 * count])[0]
open(sys.argv[1], 'wb').write(data)
`;
    const folder = join(dir, 'batch-bad-mask');
    await mkdir(folder);
    const scene = join(folder, 'scene.tif');
    await writeFile(scene, await readFile(make('2000-03-17', 'mask', BEFORE_HIDDEN).path));
    runGdalScript(GARBLE_MASK, [scene]);
    const manifest = JSON.parse(await readFile(join(TAIZHOU_EPOCHS[0], 'batch.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands: ['red', 'green', 'blue'] }));
    await expect(runBatch(createStore({ kind: 'local', dir: join(dir, 'store-bad-mask') }), directorySource(folder), demoParameters())).rejects.toThrow(
      /scene\.tif: internal mask: block 0 .*cannot be decoded/,
    );
  });
});

/** A 2-D uint8 array saved by numpy.save, as its bytes in row order. */
async function readNpyUint8(path: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await readFile(path));
  const headerLength = bytes[8]! | (bytes[9]! << 8);
  return bytes.subarray(10 + headerLength);
}
