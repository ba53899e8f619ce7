/**
 * A CRS stored as user-defined GeoKeys (ProjectedCSTypeGeoKey or GeographicTypeGeoKey 32767), read as the
 * EPSG code whose definition it matches (geo/identify-crs.ts), or refused naming the key that keeps it from
 * matching. GeoKey numbers and codes: OGC GeoTIFF 1.1 (OGC 19-008r4), Annex C and the EPSG registry.
 */
import { InvalidInputError } from '../errors.js';
import { datumOfEllipsoid, describeParameters, epsgOfParameters, type CrsParameters, type Datum } from '../geo/identify-crs.js';

/** The GeoKeys of a file: inline SHORT values, and the GeoDoubleParamsTag value of each key stored there. */
export interface GeoKeyValues {
  shorts: ReadonlyMap<number, number>;
  doubles: ReadonlyMap<number, number>;
}

export const GEOKEY_NAMES: Readonly<Record<number, string>> = {
  2048: 'GeographicTypeGeoKey',
  2050: 'GeogGeodeticDatumGeoKey',
  2051: 'GeogPrimeMeridianGeoKey',
  2054: 'GeogAngularUnitsGeoKey',
  2056: 'GeogEllipsoidGeoKey',
  2057: 'GeogSemiMajorAxisGeoKey',
  2058: 'GeogSemiMinorAxisGeoKey',
  2059: 'GeogInvFlatteningGeoKey',
  2061: 'GeogPrimeMeridianLongGeoKey',
  3072: 'ProjectedCSTypeGeoKey',
  3074: 'ProjectionGeoKey',
  3075: 'ProjCoordTransGeoKey',
  3076: 'ProjLinearUnitsGeoKey',
  3080: 'ProjNatOriginLongGeoKey',
  3081: 'ProjNatOriginLatGeoKey',
  3082: 'ProjFalseEastingGeoKey',
  3083: 'ProjFalseNorthingGeoKey',
  3088: 'ProjCenterLongGeoKey',
  3089: 'ProjCenterLatGeoKey',
  3092: 'ProjScaleAtNatOriginGeoKey',
  3093: 'ProjScaleAtCenterGeoKey',
};

const USER_DEFINED = 32767;

/** Geographic CRS, datum and ellipsoid codes (EPSG) of the two datums shoutu knows. */
const GEOGRAPHIC_CODES: Readonly<Record<number, Datum>> = { 4490: 'cgcs2000', 4326: 'wgs84' };
const DATUM_CODES: Readonly<Record<number, Datum>> = { 1043: 'cgcs2000', 6326: 'wgs84' };
const ELLIPSOID_CODES: Readonly<Record<number, Datum>> = { 1024: 'cgcs2000', 7019: 'cgcs2000', 7030: 'wgs84' };
const GREENWICH = 8901;
const DEGREE = [9102, 9122];
const METRE = 9001;
const CT_TRANSVERSE_MERCATOR = 1;
/** ProjectionGeoKey codes of the UTM zones (EPSG conversions 16001–16060 north, 16101–16160 south). */
const UTM_NORTH = 16000;
const UTM_SOUTH = 16100;

export interface IdentifiedCrs {
  epsg: number;
  /** what the keys say, for `shoutu info` and messages */
  parameters: string;
}

/**
 * The EPSG code of the user-defined CRS in `keys` (`projected`: the model type is projected), or
 * InvalidInputError 'not_georeferenced' naming the key that keeps it from matching one shoutu knows.
 */
export function identifyUserDefinedCrs(keys: GeoKeyValues, projected: boolean, name: string): IdentifiedCrs {
  const datum = datumOf(keys, name);
  const parameters: CrsParameters = projected ? { ...transverseMercatorOf(keys, name), datum } : { kind: 'geographic', datum };
  const epsg = epsgOfParameters(parameters);
  const described = describeParameters(parameters);
  if (epsg === null) {
    throw fail(name, projected ? 'ProjectedCSTypeGeoKey' : 'GeographicTypeGeoKey', `the user-defined CRS (${described}) is none that shoutu knows (CGCS2000 Gauss-Krüger zones, UTM, longitude/latitude); warp the file to one (gdalwarp -t_srs EPSG:xxxx)`);
  }
  return { epsg, parameters: described };
}

function datumOf(keys: GeoKeyValues, name: string): Datum {
  const meridian = keys.shorts.get(2051);
  if (meridian !== undefined && meridian !== GREENWICH && meridian !== USER_DEFINED) throw fail(name, key(2051), `prime meridian ${meridian} is not Greenwich (8901)`);
  const meridianLong = keys.doubles.get(2061);
  if (meridianLong !== undefined && meridianLong !== 0) throw fail(name, key(2061), `prime meridian at ${meridianLong}° is not Greenwich`);
  const units = keys.shorts.get(2054);
  if (units !== undefined && !DEGREE.includes(units)) throw fail(name, key(2054), `angular unit ${units} is not the degree (9102)`);
  const geographic = keys.shorts.get(2048);
  if (geographic !== undefined && geographic !== USER_DEFINED) {
    const datum = GEOGRAPHIC_CODES[geographic];
    if (datum === undefined) throw fail(name, key(2048), `geographic CRS EPSG:${geographic} is on a datum shoutu does not transform (CGCS2000 EPSG:4490 and WGS 84 EPSG:4326 only)`);
    return datum;
  }
  const datumCode = keys.shorts.get(2050);
  if (datumCode !== undefined && datumCode !== USER_DEFINED) {
    const datum = DATUM_CODES[datumCode];
    if (datum === undefined) throw fail(name, key(2050), `datum EPSG:${datumCode} is not one shoutu transforms (China 2000 1043, WGS 84 6326); Beijing 1954 and Xian 1980 grids lie tens of metres to over 100 m off CGCS2000`);
    return datum;
  }
  // A user-defined datum: the ellipsoid tells which (an unnamed datum on GRS 1980 is CGCS2000's in China).
  const ellipsoidCode = keys.shorts.get(2056);
  if (ellipsoidCode !== undefined && ellipsoidCode !== USER_DEFINED) {
    const datum = ELLIPSOID_CODES[ellipsoidCode];
    if (datum === undefined) throw fail(name, key(2056), `ellipsoid EPSG:${ellipsoidCode} is not GRS 1980, CGCS2000 or WGS 84`);
    return datum;
  }
  const a = keys.doubles.get(2057);
  const rf = keys.doubles.get(2059);
  const b = keys.doubles.get(2058);
  if (a === undefined || (rf === undefined && b === undefined)) throw fail(name, key(2056), 'the user-defined datum names no ellipsoid (neither GeogEllipsoidGeoKey nor its axes)');
  const match = datumOfEllipsoid(a, rf !== undefined ? { rf } : { b: b! });
  if (match === null) {
    throw fail(name, key(2057), `ellipsoid a = ${a} m, ${rf !== undefined ? `1/f = ${rf}` : `b = ${b} m`} is not GRS 1980, CGCS2000 or WGS 84 (Krassovsky 6378245 / 298.3 is Beijing 1954's, IAG 1975 6378140 / 298.257 Xian 1980's)`);
  }
  return match;
}

function transverseMercatorOf(keys: GeoKeyValues, name: string): Omit<Extract<CrsParameters, { kind: 'transverse_mercator' }>, 'datum'> {
  const units = keys.shorts.get(3076);
  if (units !== undefined && units !== METRE) throw fail(name, key(3076), `linear unit ${units} is not the metre (9001)`);
  const projection = keys.shorts.get(3074);
  if (projection !== undefined && projection > UTM_NORTH && projection <= UTM_NORTH + 60) {
    return utm(projection - UTM_NORTH, false);
  }
  if (projection !== undefined && projection > UTM_SOUTH && projection <= UTM_SOUTH + 60) {
    return utm(projection - UTM_SOUTH, true);
  }
  if (projection !== undefined && projection !== USER_DEFINED) throw fail(name, key(3074), `projection EPSG:${projection} is not a UTM zone (16001–16060, 16101–16160) nor user-defined`);
  const method = keys.shorts.get(3075);
  if (method !== CT_TRANSVERSE_MERCATOR) {
    throw fail(name, key(3075), method === undefined ? 'the user-defined projection names no method' : `projection method ${method} is not Transverse Mercator (1), the method of every projected CRS shoutu knows`);
  }
  const centralMeridian = keys.doubles.get(3080) ?? keys.doubles.get(3088);
  if (centralMeridian === undefined) throw fail(name, key(3080), 'the Transverse Mercator projection has no central meridian');
  // GDAL's defaults for parameters a file leaves out
  return {
    kind: 'transverse_mercator',
    centralMeridian,
    latitudeOfOrigin: keys.doubles.get(3081) ?? keys.doubles.get(3089) ?? 0,
    scale: keys.doubles.get(3092) ?? keys.doubles.get(3093) ?? 1,
    falseEasting: keys.doubles.get(3082) ?? 0,
    falseNorthing: keys.doubles.get(3083) ?? 0,
  };
}

function utm(zone: number, south: boolean): Omit<Extract<CrsParameters, { kind: 'transverse_mercator' }>, 'datum'> {
  return { kind: 'transverse_mercator', centralMeridian: 6 * zone - 183, latitudeOfOrigin: 0, scale: 0.9996, falseEasting: 500_000, falseNorthing: south ? 10_000_000 : 0 };
}

const key = (id: number) => GEOKEY_NAMES[id] ?? `GeoKey ${id}`;

function fail(name: string, field: string, message: string): InvalidInputError {
  return new InvalidInputError('not_georeferenced', `${name}: ${message}`, { file: name, field });
}
