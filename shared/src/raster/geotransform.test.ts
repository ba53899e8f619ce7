import { describe, expect, it } from 'vitest';
import { mapToPixel, pixelToMap, type GeoTransform } from './geotransform.js';

describe('geotransform', () => {
  const gt: GeoTransform = [203325, 30, 0, 3604935, 0, -30];

  it('maps pixel corners and centres', () => {
    expect(pixelToMap(gt, 0, 0)).toEqual([203325, 3604935]);
    expect(pixelToMap(gt, 400, 400)).toEqual([215325, 3592935]);
    expect(pixelToMap(gt, 0.5, 0.5)).toEqual([203340, 3604920]);
  });

  it('inverts', () => {
    expect(mapToPixel(gt, 203340, 3604920)).toEqual([0.5, 0.5]);
    expect(mapToPixel(gt, 215325, 3592935)).toEqual([400, 400]);
    const rotated: GeoTransform = [100, 2, 1, 50, 0.5, -3];
    const [x, y] = pixelToMap(rotated, 7.25, 3.5);
    const [px, py] = mapToPixel(rotated, x, y);
    expect(px).toBeCloseTo(7.25, 12);
    expect(py).toBeCloseTo(3.5, 12);
  });

  it('rejects degenerate transforms', () => {
    expect(() => mapToPixel([0, 0, 0, 0, 0, -1], 1, 1)).toThrow(RangeError);
    expect(() => mapToPixel([0, 1, 1, 0, 1, 1], 1, 1)).toThrow(RangeError);
  });
});
