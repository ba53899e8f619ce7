/**
 * Without a band order, detection reads it from the band descriptions: the Taizhou fixture's files state
 * each band's wavelength ('TM/ETM+ band 4 (0.825000 um)'), so detection without bands is detection with
 * the order they name — the seasonal rule, the typing indices and the cloud tests all need it. Where the
 * descriptions contradict an order (given, or read off the before file), that is said: a warning for a
 * given order, a refusal for two files whose bands lie in different orders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultParameters, detectPair, inferBands } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { fixture } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';
import { runGdalScript } from '../support/gdal.js';

const before = { path: fixture('taizhou', '2000-03-17', 'scene.tif') };
const after = { path: fixture('taizhou', '2003-02-06', 'scene.tif') };
const ORDER = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;

describe('band order from the band descriptions', () => {
  it('names the Landsat 7 bands from their stated wavelengths', async () => {
    const raster = await openGeoTiff(before, 'scene.tif');
    try {
      expect(raster.info.bandDescriptions[3]).toBe('TM/ETM+ band 4 (0.825000 um)');
      expect(inferBands(raster)).toEqual(ORDER);
    } finally {
      await raster.close();
    }
  });

  it('detection without bands gives the bytes of detection with that order', async () => {
    const parameters = defaultParameters();
    const inferred = await detectPair({ before, after, parameters });
    const given = await detectPair({ before, after, bands: [...ORDER], parameters });
    expect(inferred.summary.bands).toEqual(ORDER);
    expect(Buffer.from(inferred.changeTif).equals(Buffer.from(given.changeTif))).toBe(true);
    expect(JSON.stringify(inferred.patches)).toBe(JSON.stringify(given.patches));
    expect(inferred.summary.patches).toBeGreaterThan(0);
    expect(inferred.patches.map((p) => p.changeType)).toContain('construction');
  });
});

describe('a given band order the files contradict', () => {
  it('is reported for each file and band, and the run goes on', async () => {
    const warnings: string[] = [];
    const swapped = ['red', 'green', 'blue', 'nir', 'swir16', 'swir22'] as const;
    const result = await detectPair({ before, after, bands: [...swapped], parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    expect(result.summary.bands).toEqual(swapped);
    expect(warnings).toEqual([
      `${before.path}: band 1 is given as red, but the file describes it as "TM/ETM+ band 1 (0.482500 um)" (blue); check the band order`,
      `${before.path}: band 3 is given as blue, but the file describes it as "TM/ETM+ band 3 (0.660000 um)" (red); check the band order`,
      `${after.path}: band 1 is given as red, but the file describes it as "TM/ETM+ band 1 (0.482500 um)" (blue); check the band order`,
      `${after.path}: band 3 is given as blue, but the file describes it as "TM/ETM+ band 3 (0.660000 um)" (red); check the band order`,
    ]);
    const agreeing: string[] = [];
    await detectPair({ before, after, bands: [...ORDER], parameters: defaultParameters(), warn: (m) => agreeing.push(m) });
    expect(agreeing).toEqual([]);
  });

  it('shoutu detect prints the warnings on stderr and writes its outputs', () => {
    const work = mkdtempSync(join(tmpdir(), 'shoutu-band-warning-'));
    const out = join(work, 'out');
    const run = runShoutu(['detect', '--before', before.path, '--after', after.path, '--bands', 'red,green,blue,nir,swir16,swir22', '--out', out]);
    try {
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toContain('shoutu: warning: ');
      expect(run.stderr).toContain('band 3 is given as blue, but the file describes it as "TM/ETM+ band 3 (0.660000 um)" (red)');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('two files whose band descriptions disagree', () => {
  // Four 32² bands, each described as `names` says (none when empty), on one 10 m UTM grid.
  const MAKE = `
import sys
import numpy as np
from osgeo import gdal, osr
path, names = sys.argv[1], [n for n in sys.argv[2].split(',') if n]
ds = gdal.GetDriverByName('GTiff').Create(path, 32, 32, 4, gdal.GDT_UInt16)
ds.SetGeoTransform([500000, 10, 0, 3600000, 0, -10])
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650); ds.SetProjection(srs.ExportToWkt())
for b in range(4):
    band = ds.GetRasterBand(b + 1)
    band.WriteArray((np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) * (b + 1)) % 1000 + 100)
    if names: band.SetDescription(names[b])
ds = None
`;
  const write = (dir: string, name: string, names: string) => {
    const path = join(dir, name);
    runGdalScript(MAKE, [path, names]);
    return { path };
  };

  it('are refused without --bands, naming the after file and the band; with --bands they are warned of', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoutu-band-order-'));
    try {
      const bgrn = write(dir, 'bgrn.tif', 'blue,green,red,nir');
      const rgbn = write(dir, 'rgbn.tif', 'Red (0.66 um),Green (0.56 um),Blue (0.48 um),NIR (0.83 um)');
      const plain = write(dir, 'plain.tif', '');
      await expect(detectPair({ before: bgrn, after: rgbn, parameters: defaultParameters() })).rejects.toMatchObject({
        code: 'band_order_mismatch',
        file: rgbn.path,
        field: 'bands',
        message: `${rgbn.path}: band 1 is described as "Red (0.66 um)" (red), but the band order taken from ${bgrn.path}'s band descriptions has blue there; give the order with --bands, or check that both files hold their bands in one order`,
      });
      // a before file without descriptions: its order was assumed from its band count
      await expect(detectPair({ before: plain, after: rgbn, parameters: defaultParameters() })).rejects.toThrow(`the band order taken from ${plain.path}'s band count (4) has blue there`);
      // files that agree, or an after file that describes nothing, are read as before
      expect((await detectPair({ before: bgrn, after: plain, parameters: defaultParameters() })).summary.bands).toEqual(['blue', 'green', 'red', 'nir']);
      const warnings: string[] = [];
      await detectPair({ before: bgrn, after: rgbn, bands: ['blue', 'green', 'red', 'nir'], parameters: defaultParameters(), warn: (m) => warnings.push(m) });
      expect(warnings).toHaveLength(2); // bands 1 and 3 of the after file
      expect(warnings[0]).toContain(`${rgbn.path}: band 1 is given as blue, but the file describes it as "Red (0.66 um)" (red)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
