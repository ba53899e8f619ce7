import { describe, expect, it } from 'vitest';
import { BatchManifest } from './manifest.js';
import { parseJsonOrThrow, parseOrThrow } from './zod-errors.js';
import { InvalidInputError } from '../errors.js';

const good = {
  batchId: 'taizhou-2003-02',
  acquiredAt: '2003-02-06',
  platform: 'satellite',
  sensor: 'Landsat 7 ETM+',
  bands: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'],
  regionCode: '321202',
};

function errorOf(value: unknown): InvalidInputError {
  try {
    parseOrThrow(BatchManifest, value, 'manifest_invalid', 'batch.json');
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('BatchManifest', () => {
  it('accepts a complete manifest, with optional files and nodata', () => {
    expect(BatchManifest.parse(good)).toEqual(good);
    expect(BatchManifest.parse({ ...good, platform: 'drone', bands: ['red', 'green', 'blue'], files: ['ortho.tif'], nodata: 0 }).files).toEqual(['ortho.tif']);
  });

  it.each([
    ['regionCode', { ...good, regionCode: 'abc' }],
    ['regionCode', { ...good, regionCode: '32120' }],
    ['acquiredAt', { ...good, acquiredAt: '2003-02-30' }],
    ['acquiredAt', { ...good, acquiredAt: '06/02/2003' }],
    ['platform', { ...good, platform: 'balloon' }],
    ['bands[2]', { ...good, bands: ['blue', 'green', 'rouge'] }],
    ['bands', { ...good, bands: [] }],
    ['batchId', { ...good, batchId: '../etc' }],
    ['batchId', { ...good, batchId: '' }],
    ['files[0]', { ...good, files: ['../scene.tif'] }],
    ['files[0]', { ...good, files: ['scene.png'] }],
    ['sensor', { ...good, sensor: '' }],
    ['nodata', { ...good, nodata: 'none' }],
  ])('rejects a bad %s, naming the field and the file', (field, value) => {
    const error = errorOf(value);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe('manifest_invalid');
    expect(error.field).toBe(field);
    expect(error.file).toBe('batch.json');
    expect(error.message).toContain('batch.json');
    expect(error.message).toContain(field);
  });

  it('names a missing field', () => {
    const { sensor: _omitted, ...rest } = good;
    expect(errorOf(rest).field).toBe('sensor');
  });

  it('rejects unknown fields (typos must not pass silently)', () => {
    expect(errorOf({ ...good, regoinCode: '321202' }).message).toContain('regoinCode');
  });

  it('reports broken JSON with the file name', () => {
    expect(() => parseJsonOrThrow('{"batchId": ', 'manifest_invalid', 'batch.json')).toThrow(/batch.json: not valid JSON/);
  });
});
