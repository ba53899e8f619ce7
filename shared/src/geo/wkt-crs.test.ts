import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { epsgOfWkt } from './wkt-crs.js';

// As GDAL writes them: OSRMorphToESRI of the EPSG definitions (a shapefile's .prj), and OGC WKT 1.
const ESRI_UTM51N =
  'PROJCS["WGS_1984_UTM_Zone_51N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",123.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
const ESRI_GK_ZONE40 =
  'PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",40500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
const ESRI_WGS84 = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
const ESRI_BEIJING54 =
  'PROJCS["Beijing_1954_3_Degree_GK_CM_120E",GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
const OGC_4549 =
  'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Northing",NORTH],AXIS["Easting",EAST],AUTHORITY["EPSG","4549"]]';

function refused(text: string): InvalidInputError {
  try {
    epsgOfWkt(text, { file: 'layer.prj', field: 'prj' });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    const e = error as InvalidInputError;
    expect(e.code).toBe('crs_unknown');
    expect(e.field).toBe('prj');
    expect(e.message.startsWith('layer.prj: ')).toBe(true);
    return e;
  }
  throw new Error('expected a refusal');
}

describe('epsgOfWkt', () => {
  it('reads ESRI WKT without a code by its parameters', () => {
    expect(epsgOfWkt(ESRI_UTM51N)).toEqual({ epsg: 32651, parameters: expect.stringContaining('scale 0.9996') as string });
    expect(epsgOfWkt(ESRI_GK_ZONE40).epsg).toBe(4528);
    expect(epsgOfWkt(ESRI_WGS84).epsg).toBe(4326);
    expect(epsgOfWkt(ESRI_GK_ZONE40.replace('D_China_2000', 'D_Unknown')).epsg).toBe(4528); // an unnamed datum by its ellipsoid
  });

  it('takes the root AUTHORITY code when there is one', () => {
    expect(epsgOfWkt(OGC_4549)).toEqual({ epsg: 4549 });
    expect(() => epsgOfWkt(OGC_4549.replace('AUTHORITY["EPSG","4549"]]', 'AUTHORITY["EPSG","2437"]]'))).toThrow(/EPSG:2437 is not supported/);
  });

  it('refuses other datums, methods and units, and parameters that match no code', () => {
    expect(refused(ESRI_BEIJING54).message).toContain('datum "D_Beijing_1954" on ellipsoid a = 6378245 m, 1/f = 298.3 is not CGCS2000 or WGS 84');
    expect(refused(ESRI_UTM51N.replace('"Transverse_Mercator"', '"Albers"')).message).toContain('projection "Albers" is not Transverse Mercator');
    expect(refused(ESRI_UTM51N.replace('UNIT["Meter",1.0]]', 'UNIT["Foot_US",0.3048006096012192]]')).message).toContain('linear unit "Foot_US" is not the metre');
    expect(refused(ESRI_UTM51N.replace('PARAMETER["Central_Meridian",123.0]', 'PARAMETER["Central_Meridian",123.5]')).message).toContain('central meridian 123.5°');
  });

  it('refuses malformed WKT saying where', () => {
    expect(refused('PROJCS["x",GEOGCS["y"').message).toContain('ends inside a bracket');
    expect(refused('PROJCS["x"] trailing').message).toContain('text after its end');
    expect(refused('LOCAL_CS["x"]').message).toContain('is not a WKT 1 PROJCS or GEOGCS');
    expect(refused(`${'A['.repeat(40)}1${']'.repeat(40)}`).message).toContain('nests too deep');
    expect(refused('PROJCS["x" "y"]').message).toContain('malformed at character 12');
    expect(refused('').message).toContain('malformed at character 1');
  });
});
