import type { GeoTiffRaster } from './geotiff-source.js';

/**
 * For the tests of raster wrappers (not used in production): a raster described by `info` whose reads return
 * two samples and record their arguments in `calls`, so a test sees what a wrapper passed through.
 */
export function recordingRaster(calls: string[], info: Partial<GeoTiffRaster['info']>): GeoTiffRaster {
  return {
    info: info as GeoTiffRaster['info'],
    readWindow: async (...args) => (calls.push(`readWindow ${args.join(',')}`), Float32Array.of(0, 7)),
    readWindowNative: async (...args) => (calls.push(`readWindowNative ${args.join(',')}`), Uint8Array.of(0, 7)),
    readMaskWindow: async (...args) => (calls.push(`readMaskWindow ${args.join(',')}`), null),
    keepPlanes: (planes) => void calls.push(`keepPlanes ${planes === null ? 'null' : planes.join(',')}`),
    close: async () => void calls.push('close'),
  };
}
