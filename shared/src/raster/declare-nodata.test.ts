import { describe, expect, it } from 'vitest';
import { declareNodata } from './declare-nodata.js';
import { recordingRaster } from './recording-raster.js';

/** A 2×1 one-band raster that records the calls it receives. */
const recording = (calls: string[]) => recordingRaster(calls, { nodata: null, width: 2, height: 1, bands: 1 });

describe('declareNodata', () => {
  it('changes the nodata value the raster reports and nothing it reads', async () => {
    const calls: string[] = [];
    const raster = recording(calls);
    const declared = declareNodata(raster, 0);
    expect(declared.info.nodata).toBe(0);
    expect(declared.info.width).toBe(2);
    expect(raster.info.nodata).toBeNull();
    expect(Array.from(await declared.readWindow(0, 0, 2, 1))).toEqual([0, 7]);
    expect(Array.from(await declared.readWindowNative(1, 0, 1, 1))).toEqual([0, 7]);
    expect(await declared.readMaskWindow(0, 0, 1, 1)).toBeNull();
    await declared.close();
    expect(calls).toEqual(['readWindow 0,0,2,1', 'readWindowNative 1,0,1,1', 'readMaskWindow 0,0,1,1', 'close']);
  });

  it('returns the raster itself when nothing is declared', () => {
    const raster = recording([]);
    expect(declareNodata(raster, undefined)).toBe(raster);
  });
});
