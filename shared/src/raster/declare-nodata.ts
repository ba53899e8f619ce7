import type { GeoTiffRaster } from './geotiff-source.js';

/**
 * The raster with `nodata` as its nodata value in place of the file's (what the operator declares for a
 * file that declares none, or a wrong one: batch.json `nodata`, `shoutu detect --nodata`). Reads are the
 * file's; only `info.nodata`, which every validity test reads, changes. `undefined` returns the raster as it is.
 */
export function declareNodata(raster: GeoTiffRaster, nodata: number | undefined): GeoTiffRaster {
  if (nodata === undefined) return raster;
  return withInfo(raster, { ...raster.info, nodata });
}

/** The raster read as it is, described by `info` (what a declaration or correction changes). */
export function withInfo(raster: GeoTiffRaster, info: GeoTiffRaster['info']): GeoTiffRaster {
  return {
    info,
    readWindow: (...args) => raster.readWindow(...args),
    readWindowNative: (...args) => raster.readWindowNative(...args),
    readMaskWindow: (...args) => raster.readMaskWindow(...args),
    keepPlanes: (planes) => raster.keepPlanes(planes),
    close: () => raster.close(),
  };
}
