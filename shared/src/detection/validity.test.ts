import { describe, expect, it } from 'vitest';
import { cloudBandsOf, maskUnusablePixels, sceneValidity, typeSaturation } from './validity.js';

describe('scene validity', () => {
  it('defaults saturation to the maximum of integer types wider than 8 bits only', () => {
    expect(typeSaturation('uint', 16)).toBe(65535);
    expect(typeSaturation('int', 16)).toBe(32767);
    expect(typeSaturation('uint', 8)).toBeNull();
    expect(typeSaturation('float', 32)).toBeNull();
  });

  it('runs the cloud test only with a reflectance scale and the bands it needs', () => {
    const six = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;
    expect(sceneValidity(six, { sampleFormat: 'uint', bitsPerSample: 16 }).cloud).toBeNull();
    expect(sceneValidity(six, { sampleFormat: 'uint', bitsPerSample: 16, reflectance: { scale: 1e-4, offset: 0 } }).cloud?.bands).toEqual({ blue: 0, green: 1, red: 2, nir: 3, swir16: 4, swir22: 5 });
    expect(cloudBandsOf(['red', 'green', 'blue'])).toBeNull();
    expect(cloudBandsOf(['blue', 'green', 'red', 'nir08', 'swir16'])).toEqual({ blue: 0, green: 1, red: 2, nir: 3, swir16: 4, swir22: -1 });
  });

  it('writes NaN into every band of saturated, operator-masked and mask-band pixels', () => {
    // 3 pixels, 2 image bands + a mask band; uint16: pixel 0 saturated, pixel 2 masked by the band
    const planar = new Float32Array([65535, 10, 20, 65535, 11, 21, 0, 0, 1]);
    const validity = sceneValidity(['red', 'nir'], { sampleFormat: 'uint', bitsPerSample: 16, maskBand: 2 });
    expect(maskUnusablePixels(planar, 3, 1, 3, validity, null)).toBe(2);
    expect(Array.from(planar.subarray(0, 6))).toEqual([NaN, 10, NaN, NaN, 11, NaN]);
    const withFile = new Float32Array([1, 2, 3, 4]);
    expect(maskUnusablePixels(withFile, 2, 1, 2, sceneValidity(['red', 'nir'], { sampleFormat: 'float', bitsPerSample: 32 }), new Float32Array([0, 255]))).toBe(1);
    expect(Array.from(withFile)).toEqual([1, NaN, 3, NaN]);
  });
});
