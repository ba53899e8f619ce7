/**
 * The GeoTIFF georeferencing that shoutu's writers put in every file: a GeoKeyDirectory naming the EPSG
 * code (projected or geographic, RasterPixelIsArea), ModelPixelScale and ModelTiepoint of a north-up
 * geotransform, and the GDAL_NODATA text.
 */
import { isGeographicEpsg } from '../geo/crs.js';
import type { GeoTransform } from './geotransform.js';

/**
 * GeoKeyDirectory values for an EPSG code. `crsType` is needed only for codes shoutu's CRS table does
 * not know. Throws RangeError for an invalid or unknown code.
 */
export function geoKeyDirectory(epsg: number, crsType: 'projected' | 'geographic' | undefined, writer: string): number[] {
  if (!Number.isInteger(epsg) || epsg < 1024 || epsg >= 32767) throw new RangeError(`${writer}: invalid EPSG code ${epsg}`);
  let geographic: boolean;
  if (crsType !== undefined) geographic = crsType === 'geographic';
  else {
    const known = isGeographicEpsg(epsg);
    if (known === null) throw new RangeError(`${writer}: EPSG:${epsg} is not in shoutu's CRS table; pass crsType`);
    geographic = known;
  }
  return [
    1, 1, 0, 3,
    1024, 0, 1, geographic ? 2 : 1, // GTModelTypeGeoKey
    1025, 0, 1, 1, // GTRasterTypeGeoKey = RasterPixelIsArea
    geographic ? 2048 : 3072, 0, 1, epsg, // GeographicTypeGeoKey / ProjectedCSTypeGeoKey
  ];
}

/** Throws RangeError unless the geotransform is finite and north-up. */
export function checkNorthUp(gt: GeoTransform, writer: string): void {
  if (gt.length !== 6 || gt.some((v) => !Number.isFinite(v)) || gt[2] !== 0 || gt[4] !== 0 || !(gt[1] > 0) || !(gt[5] < 0)) {
    throw new RangeError(`${writer}: geoTransform must be finite and north-up, got [${gt.join(', ')}]`);
  }
}

/** ModelPixelScale (3 doubles) and ModelTiepoint (6 doubles) of a north-up geotransform. */
export function pixelScaleAndTiepoint(gt: GeoTransform): { scale: number[]; tiepoint: number[] } {
  return { scale: [gt[1], -gt[5], 0], tiepoint: [0, 0, 0, gt[0], gt[3], 0] };
}

/** GDAL_NODATA tag text (NUL-terminated): the number as JavaScript prints it, `nan` for NaN. */
export function gdalNodataText(nodata: number): Uint8Array {
  return new TextEncoder().encode(`${Number.isNaN(nodata) ? 'nan' : String(nodata)}\0`);
}
