import { describe, expect, it } from 'vitest';
import { cloudBandsOf, maskUnusablePixels, sceneValidity, typeFill, typeSaturation, usableSamples } from './validity.js';

describe('scene validity', () => {
  it('defaults saturation to the maximum of integer types wider than 8 bits only', () => {
    expect(typeSaturation('uint', 16)).toBe(65535);
    expect(typeSaturation('int', 16)).toBe(32767);
    expect(typeSaturation('uint', 8)).toBeNull();
    expect(typeSaturation('float', 32)).toBeNull();
  });

  it('takes 0 in every band as fill for integers that declare no nodata: wider than 8 bits, or 8-bit with 3 bands or more', () => {
    const file = (sampleFormat: 'uint' | 'int' | 'float', bitsPerSample: number, nodata: number | null, imageBands: number) => typeFill({ sampleFormat, bitsPerSample, nodata, imageBands });
    expect(file('uint', 16, null, 1)).toBe(0);
    expect(file('int', 16, null, 4)).toBe(0);
    expect(file('uint', 32, null, 2)).toBe(0);
    expect(file('uint', 8, null, 3)).toBe(0);
    expect(file('uint', 8, null, 6)).toBe(0);
    expect(file('uint', 8, null, 1)).toBeNull();
    expect(file('uint', 8, null, 2)).toBeNull();
    expect(file('uint', 16, 65535, 4)).toBeNull();
    expect(file('uint', 16, 0, 4)).toBeNull();
    expect(file('uint', 8, 255, 3)).toBeNull();
    expect(file('float', 32, null, 4)).toBeNull();
    expect(sceneValidity(['red'], { sampleFormat: 'uint', bitsPerSample: 16 }).fill).toBeNull();
    expect(sceneValidity(['red'], { sampleFormat: 'uint', bitsPerSample: 16, fill: 0 }).fill).toBe(0);
  });

  it('writes NaN into every band of fill pixels (0 in every image band), not of pixels 0 in some bands', () => {
    // 4 pixels, 2 image bands + a mask band of zeros: pixel 0 fill, pixel 1 0 in nir only, pixels 2, 3 data
    const planar = new Float32Array([0, 40, 12, 13, 0, 0, 22, 23, 0, 0, 0, 0]);
    const validity = sceneValidity(['red', 'nir'], { sampleFormat: 'uint', bitsPerSample: 16, fill: 0, maskBand: 2, maskedValues: [9] });
    expect(maskUnusablePixels(planar, 4, 1, 3, validity, null)).toBe(1);
    expect(Array.from(planar.subarray(0, 8))).toEqual([NaN, 40, 12, 13, NaN, 0, 22, 23]);
    // the file's own samples stay as read while the first band holds no 0, else float32 with fill NaN
    const plain = sceneValidity(['red', 'nir'], { sampleFormat: 'uint', bitsPerSample: 16, fill: 0 });
    const clear = Uint16Array.from([5, 6, 0, 8]);
    expect(usableSamples(clear, 2, 1, 2, plain)).toBe(clear);
    const usable = usableSamples(Uint16Array.from([0, 6, 0, 8]), 2, 1, 2, plain);
    expect(Array.from(usable)).toEqual([NaN, 6, NaN, 8]);
    // the float32 window goes into the array the caller lends, whatever it held
    const lent = new Float32Array(4).fill(99);
    expect(usableSamples(Uint16Array.from([0, 6, 0, 8]), 2, 1, 2, plain, (n) => lent.subarray(0, n))).toEqual(lent);
    expect(Array.from(lent)).toEqual([NaN, 6, NaN, 8]);
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
