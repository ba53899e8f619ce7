/**
 * A hyperspectral pair — more evidence bands than the change pass scores one by one (MAX_EVIDENCE_PLANES) —
 * is scored on the means of contiguous groups of its bands: the bytes of a pair of files holding those
 * means, with one thread or two and with any tiling; and it finds the labelled change of the pair it was
 * made from, where band by band the noise of 48 bands drowned it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { expectSameDetection as same } from '../support/equivalence.js';

/**
 * Writes a 48-band uint16 cube made from a Taizhou epoch (its 6 bands spread over 48 by linear
 * interpolation, × 16, plus seeded noise of 4 DN in every band), and a 16-band float32 file of the means of
 * its bands 3 by 3 (in float64, then rounded to float32), both on the epoch's grid.
 */
const CUBE = `
import sys
import numpy as np
from osgeo import gdal
src, cube_path, means_path, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ds = gdal.Open(src)
x = ds.ReadAsArray().astype(np.float64)
rng = np.random.default_rng(seed)
at = np.linspace(0, x.shape[0] - 1, 48)
cube = np.empty((48,) + x.shape[1:])
for k, t in enumerate(at):
    j = min(int(t), x.shape[0] - 2)
    f = t - j
    cube[k] = ((1 - f) * x[j] + f * x[j + 1]) * 16 + rng.normal(0, 4, x.shape[1:])
cube = np.clip(np.rint(cube), 1, 65535).astype(np.uint16)
means = cube.astype(np.float64).reshape(16, 3, *x.shape[1:]).mean(axis=1).astype(np.float32)
for path, data, kind in ((cube_path, cube, gdal.GDT_UInt16), (means_path, means, gdal.GDT_Float32)):
    o = gdal.GetDriverByName('GTiff').Create(path, ds.RasterXSize, ds.RasterYSize, data.shape[0], kind, ['TILED=YES', 'COMPRESS=DEFLATE', 'INTERLEAVE=BAND'])
    o.SetGeoTransform(ds.GetGeoTransform())
    o.SetProjection(ds.GetProjection())
    for b in range(data.shape[0]):
        o.GetRasterBand(b + 1).WriteArray(data[b])
    o = None
`;

/**
 * Copies a cube, describing band k by the wavelength its bands were interpolated at, as GDAL's ENVI driver
 * writes it ('band 1 (0.482500 Micrometers)'): between the Taizhou bands' stated centres.
 */
const DESCRIBE = `
import sys
import numpy as np
from osgeo import gdal
centres = [482.5, 565.0, 660.0, 825.0, 1650.0, 2220.0]
ds = gdal.Translate(sys.argv[2], sys.argv[1])
for k, t in enumerate(np.linspace(0, 5, 48)):
    j = min(int(t), 4)
    nm = centres[j] + (t - j) * (centres[j + 1] - centres[j])
    ds.GetRasterBand(k + 1).SetDescription('band %d (%.6f Micrometers)' % (k + 1, nm / 1000))
ds = None
`;

let dir: string;
const files = (epoch: string, seed: number) => {
  const cube = join(dir, `${epoch}-cube.tif`);
  const means = join(dir, `${epoch}-means.tif`);
  runGdalScript(CUBE, [fixture('taizhou', epoch, 'scene.tif'), cube, means, String(seed)]);
  return { cube: { path: cube }, means: { path: means } };
};
let before: ReturnType<typeof files>;
let after: ReturnType<typeof files>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-many-bands-'));
  before = files('2000-03-17', 1);
  after = files('2003-02-06', 2);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** F1 of change.tif against the fixture's labels (1 change, 0 no change, 255 unlabelled). */
async function f1(changeTif: Uint8Array): Promise<number> {
  const decide = async (source: { bytes: Uint8Array } | { path: string }) => {
    const raster = await openGeoTiff(source, 'path' in source ? source.path : 'change.tif');
    try {
      return (await raster.readWindow(0, 0, raster.info.width, raster.info.height)) as Float32Array;
    } finally {
      await raster.close();
    }
  };
  const [change, truth] = await Promise.all([decide({ bytes: changeTif }), decide({ path: fixture('taizhou', 'truth.tif') })]);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  truth.forEach((t, i) => {
    if (t === 255) return;
    const c = change[i] === 1;
    if (c && t === 1) tp++;
    else if (c) fp++;
    else if (t === 1) fn++;
  });
  return (2 * tp) / (2 * tp + fp + fn);
}

/** Writes a 20 × 10 float32 file of 300 pixel-interleaved bands, sample (band b, row y, column x) = b·1000 + y·20 + x. */
const WIDE = `
import sys
import numpy as np
from osgeo import gdal
o = gdal.GetDriverByName('GTiff').Create(sys.argv[1], 20, 10, 300, gdal.GDT_Float32, ['TILED=YES', 'BLOCKXSIZE=16', 'BLOCKYSIZE=16', 'COMPRESS=DEFLATE', 'PREDICTOR=3', 'INTERLEAVE=PIXEL'])
o.SetGeoTransform((500000, 30, 0, 3600000, 0, -30))
o.SetProjection('EPSG:32650')
for b in range(300):
    o.GetRasterBand(b + 1).WriteArray((b * 1000 + np.arange(200).reshape(10, 20)).astype(np.float32))
o = None
`;

describe('a hyperspectral file', () => {
  it('of 300 pixel-interleaved bands reads every sample', async () => {
    const path = join(dir, 'wide.tif');
    runGdalScript(WIDE, [path]);
    const raster = await openGeoTiff({ path }, 'wide.tif');
    try {
      expect(raster.info.bands).toBe(300);
      const planar = await raster.readWindow(3, 2, 15, 7);
      const expected = new Float32Array(300 * 15 * 7);
      for (let b = 0; b < 300; b++) for (let y = 0; y < 7; y++) for (let x = 0; x < 15; x++) expected[b * 105 + y * 15 + x] = b * 1000 + (y + 2) * 20 + x + 3;
      expect(Buffer.from(planar.buffer, planar.byteOffset, planar.byteLength).equals(Buffer.from(expected.buffer))).toBe(true);
    } finally {
      await raster.close();
    }
  });
});

describe('a pair of 48-band files', () => {
  it('is scored on 16 planes, each the mean of 3 bands: the bytes of the files of those means, with one thread or two', async () => {
    const parameters = defaultParameters();
    const cube = await detectPair({ before: before.cube, after: after.cube, parameters });
    const stats = cube.summary.pairStats;
    expect(stats.bands).toBe(16);
    expect(stats.evidenceBands).toEqual(Array.from({ length: 48 }, (_, b) => b));
    expect(stats.evidenceGroups).toEqual(new Array(16).fill(3));
    const means = await detectPair({ before: before.means, after: after.means, parameters });
    expect(means.summary.pairStats.evidenceGroups).toBeUndefined();
    expect(Buffer.from(cube.changeTif).equals(Buffer.from(means.changeTif))).toBe(true);
    expect(JSON.stringify(cube.patches)).toBe(JSON.stringify(means.patches));
    const { evidenceBands: _a, evidenceGroups: _b, ...cubeStats } = stats;
    const { evidenceBands: _c, ...meansStats } = means.summary.pairStats;
    expect(cubeStats).toEqual(meansStats);
    const tiled = defaultParameters({ tileSize: 128 });
    same(await detectPair({ before: before.cube, after: after.cube, parameters: tiled, threads: 2 }), await detectPair({ before: before.cube, after: after.cube, parameters: tiled }));
  });

  it('whose bands state their wavelengths is read with the names of those in the common ranges: nir09 is left out, typing and the seasonal test run', async () => {
    const described = (cube: { path: string }, name: string) => {
      const path = join(dir, name);
      runGdalScript(DESCRIBE, [cube.path, path]);
      return { path };
    };
    const describedBefore = described(before.cube, 'before-described.tif');
    const result = await detectPair({ before: describedBefore, after: described(after.cube, 'after-described.tif'), parameters: defaultParameters() });
    const bands = result.summary.bands;
    expect(bands.slice(0, 2)).toEqual(['blue', 'blue']);
    expect(bands).toContain('red');
    expect(bands).toContain('nir');
    expect(bands).toContain(null);
    const evidence = result.summary.pairStats.evidenceBands;
    expect(evidence).toEqual(bands.flatMap((b, i) => (b === 'nir09' ? [] : [i])));
    expect(evidence.length).toBeLessThan(48);
    expect(result.patches.map((p) => p.changeType)).toContain('construction');
    expect(await f1(result.changeTif)).toBeGreaterThan(0.85);
    // bands without a name cannot be paired with another sensor's: such a cube is compared only with its own layout
    const sixBands = fixture('taizhou', '2003-02-06', 'scene.tif');
    await expect(detectPair({ before: describedBefore, after: { path: sixBands }, parameters: defaultParameters() })).rejects.toMatchObject({
      code: 'band_count_mismatch',
      field: 'bands',
      message: `${describedBefore.path}: its band descriptions give common names to ${bands.filter((b) => b !== null).length} of its 48 bands (a hyperspectral cube); it is compared only with a file of the same bands (${sixBands} has 6)`,
    });
  });

  it('finds the change labelled on the pair it was made from', async () => {
    const cube = await detectPair({ before: before.cube, after: after.cube, parameters: defaultParameters() });
    expect(cube.patches.length).toBeGreaterThan(10);
    expect(await f1(cube.changeTif)).toBeGreaterThan(0.85);
  });
});
