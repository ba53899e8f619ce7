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
    ['saturation', { ...good, saturation: 'max' }],
    ['reflectance.scale', { ...good, reflectance: { scale: 0 } }],
    ['reflectance', { ...good, reflectance: { scale: 0.0001, gain: 1 } }],
    ['cloudMask', { ...good, cloudMask: {} }],
    ['cloudMask', { ...good, cloudMask: { band: 7, files: { 'a.tif': 'm.tif' } } }],
    ['cloudMask.band', { ...good, cloudMask: { band: 3 } }],
    ['cloudMask.values', { ...good, cloudMask: { band: 7, values: [] } }],
    ['cloudMask.files.a.tif', { ...good, cloudMask: { files: { 'a.tif': 'a.tif' } } }],
    ['cloudMask.files.a.tif', { ...good, cloudMask: { files: { 'a.tif': 'b.tif', 'b.tif': 'c.tif' } } }],
    ['cloudMask.files.x.tif', { ...good, files: ['a.tif'], cloudMask: { files: { 'x.tif': 'm.tif' } } }],
  ])('rejects a bad %s, naming the field and the file', (field, value) => {
    const error = errorOf(value);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.code).toBe('manifest_invalid');
    expect(error.field).toBe(field);
    expect(error.file).toBe('batch.json');
    expect(error.message).toContain('batch.json');
    expect(error.message).toContain(field);
  });

  it('accepts validity settings: saturation, reflectance scale, a cloud mask band or mask files', () => {
    expect(BatchManifest.parse({ ...good, saturation: 4095, reflectance: { scale: 2.75e-5, offset: -0.2 } }).reflectance).toEqual({ scale: 2.75e-5, offset: -0.2 });
    expect(BatchManifest.parse({ ...good, reflectance: { scale: 1e-4 } }).reflectance).toEqual({ scale: 1e-4, offset: 0 });
    expect(BatchManifest.parse({ ...good, cloudMask: { band: 7, values: [2, 4] } }).cloudMask).toEqual({ band: 7, values: [2, 4] });
    expect(BatchManifest.parse({ ...good, cloudMask: { files: { 'a.tif': 'a-mask.tif' } } }).cloudMask?.files).toEqual({ 'a.tif': 'a-mask.tif' });
  });

  it('explains where the cloud mask band must be', () => {
    expect(errorOf({ ...good, cloudMask: { band: 3 } }).message).toContain('must be 7: the mask band is the last band of each file');
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
