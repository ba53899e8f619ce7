/**
 * Without a band order, detection reads it from the band descriptions: the Taizhou fixture's files state
 * each band's wavelength ('TM/ETM+ band 4 (0.825000 um)'), so detection without bands is detection with
 * the order they name — the seasonal rule, the typing indices and the cloud tests all need it.
 */
import { describe, expect, it } from 'vitest';
import { defaultParameters, detectPair, inferBands } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { fixture } from '../support/fixtures.js';

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
