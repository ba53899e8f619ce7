import { describe, expect, it } from 'vitest';
import { recordingRaster } from './recording-raster.js';
import { pixelToMap } from './geotransform.js';
import { shiftGeoreference } from './shift-georeference.js';

/** A 3×2 one-band raster on a 30 m UTM grid that records the calls it receives. */
const recording = (calls: string[]) => recordingRaster(calls, { nodata: null, width: 3, height: 2, bands: 1, epsg: 32651, geoTransform: [500010, 30, 0, 3600020, 0, -30] });

describe('shiftGeoreference', () => {
  it('puts pixel (x + dx, y + dy) where pixel (x, y) was, and reads the file as it is', async () => {
    const calls: string[] = [];
    const raster = recording(calls);
    const moved = shiftGeoreference(raster, [2, -1]);
    for (const [x, y] of [[0, 0], [1, 1], [2.5, 0.5]] as const) {
      expect(pixelToMap(moved.info.geoTransform, x + 2, y - 1)).toEqual(pixelToMap(raster.info.geoTransform, x, y));
    }
    expect(moved.info.geoTransform).toEqual([499950, 30, 0, 3599990, 0, -30]);
    expect(raster.info.geoTransform).toEqual([500010, 30, 0, 3600020, 0, -30]);
    expect({ ...moved.info, geoTransform: null }).toEqual({ ...raster.info, geoTransform: null });
    expect(Array.from(await moved.readWindow(0, 0, 2, 1))).toEqual([0, 7]);
    expect(Array.from(await moved.readWindowNative(1, 0, 1, 1))).toEqual([0, 7]);
    expect(await moved.readMaskWindow(0, 0, 1, 1)).toBeNull();
    await moved.close();
    expect(calls).toEqual(['readWindow 0,0,2,1', 'readWindowNative 1,0,1,1', 'readMaskWindow 0,0,1,1', 'close']);
  });

  it('returns the raster itself for no shift, and refuses a fraction of a pixel', () => {
    const raster = recording([]);
    expect(shiftGeoreference(raster, undefined)).toBe(raster);
    expect(shiftGeoreference(raster, [0, 0])).toBe(raster);
    expect(() => shiftGeoreference(raster, [0.5, 0])).toThrow(/whole pixels/);
  });
});
