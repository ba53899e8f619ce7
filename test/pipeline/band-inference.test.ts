/**
 * Without a band order, detection reads it from the band descriptions: the Taizhou fixture's files state
 * each band's wavelength ('TM/ETM+ band 4 (0.825000 um)'), so detection without bands is detection with
 * the order they name — the seasonal rule, the typing indices and the cloud tests all need it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultParameters, detectPair, inferBands } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { fixture } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';

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
