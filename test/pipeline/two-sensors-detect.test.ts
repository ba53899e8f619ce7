/**
 * `shoutu detect` on files of two sensors — a 6-band Landsat epoch against a 4-band product, a drone's RGB
 * orthophoto against a multispectral epoch — compares them on the kinds of band both hold, as ingest
 * compares epochs of two sensors: the same bytes as two files holding only those bands, with one thread or
 * two. Files it cannot compare are refused naming the file and the flag to give.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';
import { runGdalScript } from '../support/gdal.js';
import { expectSameDetection as same } from '../support/equivalence.js';

const before = { path: fixture('taizhou', '2000-03-17', 'scene.tif') };
const after = { path: fixture('taizhou', '2003-02-06', 'scene.tif') };

/** Writes the given bands of a file (1-based, in that order); with `clear`, without band descriptions. */
const SUBSET = `
import sys
from osgeo import gdal
ds = gdal.Translate(sys.argv[2], sys.argv[1], bandList=[int(b) for b in sys.argv[3].split(',')])
if sys.argv[4] == 'clear':
    for b in range(ds.RasterCount):
        ds.GetRasterBand(b + 1).SetDescription('')
ds = None
`;

let dir: string;
const subset = (from: { path: string }, name: string, bands: number[], clear = false) => {
  const path = join(dir, name);
  runGdalScript(SUBSET, [from.path, path, bands.join(','), clear ? 'clear' : 'keep']);
  return { path };
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-two-sensors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files of two sensors', () => {
  it('a 4-band after file against the 6-band before file is compared on blue, green, red, nir: the bytes of two 4-band files', async () => {
    const after4 = subset(after, 'after-bgrn.tif', [1, 2, 3, 4]);
    const parameters = defaultParameters();
    const two = await detectPair({ before, after: after4, parameters });
    expect(two.summary.bands).toEqual(['blue', 'green', 'red', 'nir']);
    expect(two.summary.fileBands).toEqual({ before: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'], after: ['blue', 'green', 'red', 'nir'] });
    expect(two.patches.length).toBeGreaterThan(0);
    const both4 = await detectPair({ before: subset(before, 'before-bgrn.tif', [1, 2, 3, 4]), after: after4, parameters });
    expect(both4.summary).not.toHaveProperty('fileBands');
    same(two, both4);
    same(await detectPair({ before, after: after4, parameters: defaultParameters({ tileSize: 128 }), threads: 2 }), await detectPair({ before, after: after4, parameters: defaultParameters({ tileSize: 128 }) }));
  });

  it('an RGB after file without band descriptions is read as red, green, blue and compared in its order', async () => {
    const rgb = subset(after, 'after-rgb.tif', [3, 2, 1], true);
    const parameters = defaultParameters();
    const two = await detectPair({ before, after: rgb, parameters });
    expect(two.summary.bands).toEqual(['red', 'green', 'blue']);
    same(two, await detectPair({ before: subset(before, 'before-rgb.tif', [3, 2, 1]), after: rgb, parameters }));
    // The same when each order is given.
    same(two, await detectPair({ before, after: rgb, bands: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'], afterBands: ['red', 'green', 'blue'], parameters }));
  });

  it('are refused, naming the file and the flag, when an order is unknown, miscounted or shares no band', async () => {
    const five = subset(after, 'after-5.tif', [1, 2, 3, 4, 5], true);
    await expect(detectPair({ before, after: five, parameters: defaultParameters() })).rejects.toMatchObject({
      code: 'band_count_mismatch',
      file: five.path,
      field: 'after-bands',
      message: `${five.path}: 5 bands but ${before.path} has 6; files of two sensors are compared on the bands both hold, which needs each file's band order: give it (--bands for ${before.path}, --after-bands for ${five.path}), or band descriptions that name every band`,
    });
    await expect(detectPair({ before, after: five, afterBands: ['blue', 'green', 'red'], parameters: defaultParameters() })).rejects.toMatchObject({
      code: 'band_count_mismatch',
      field: 'after-bands',
      message: `--after-bands lists 3 bands but ${five.path} has 5`,
    });
    const pan = subset(after, 'after-pan.tif', [3], true);
    await expect(detectPair({ before, after: pan, afterBands: ['pan'], parameters: defaultParameters() })).rejects.toMatchObject({
      code: 'no_shared_bands',
      file: pan.path,
      message: `${pan.path} (pan) and ${before.path} (blue,green,red,nir,swir16,swir22) share no band that shows the land; they cannot be compared`,
    });
    // A given after order its descriptions contradict is warned of, and the run goes on.
    const warnings: string[] = [];
    await detectPair({ before, after: subset(after, 'after-bgr.tif', [1, 2, 3]), afterBands: ['red', 'green', 'blue'], parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    expect(warnings.map((w) => w.slice(w.indexOf(': ') + 2, w.indexOf(', but')))).toEqual(['band 1 is given as red', 'band 3 is given as blue']);
  });

  it('shoutu detect says what it compared', () => {
    const out = join(dir, 'out');
    const rgb = subset(after, 'cli-rgb.tif', [3, 2, 1], true).path;
    const run = runShoutu(['detect', '--before', before.path, '--after', rgb, '--after-bands', 'red,green,blue', '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${before.path} (blue,green,red,nir,swir16,swir22) and ${rgb} (red,green,blue): two band layouts, compared on the bands both hold: red,green,blue\n`);
  });
});
