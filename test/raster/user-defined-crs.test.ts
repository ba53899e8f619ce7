/**
 * GeoTIFFs whose CRS is stored as user-defined GeoKeys (datum or ellipsoid, projection method and its
 * parameters, no EPSG code), as writers that do not look codes up store CGCS2000 Gauss-Krüger and UTM
 * grids: read as the EPSG code whose definition they match, and compared and ingested
 * as that grid; anything else refused naming the GeoKey that keeps it from matching. The files are written
 * by GDAL from PROJ strings and ESRI WKT, as those tools' exports are.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { describeGeoTiff } from '@shoutu/shared/raster/describe-geotiff.js';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { countOutcomes, refusalOf } from '../support/refusals.js';
import { runShoutu } from '../support/cli.js';
import { alertGeometry as geometry, expectSameDetection as same, ingestTaizhouEpochs, sameEvidence } from '../support/equivalence.js';

/**
 * Copies `src` with `srs` assigned (the geotransform kept), then optionally damages its GeoKeys:
 * `key:<id>:index:<n>` points key <id> at index n of GeoDoubleParamsTag, `key:<id>:nan` sets its value NaN.
 */
const MAKE = `
import sys, struct
from osgeo import gdal
src, out, srs, damage = sys.argv[1:5]
gdal.Translate(out, src, outputSRS=srs)
if damage != 'none':
    data = bytearray(open(out, 'rb').read())
    assert data[:2] == b'II'
    ifd = struct.unpack('<I', data[4:8])[0]
    entries = {}
    for i in range(struct.unpack('<H', data[ifd:ifd + 2])[0]):
        at = ifd + 2 + 12 * i
        tag, kind, count = struct.unpack('<HHI', data[at:at + 8])
        entries[tag] = (at, kind, count)
    def where(tag, size):
        at, kind, count = entries[tag]
        return at + 8 if count * size <= 4 else struct.unpack('<I', data[at + 8:at + 12])[0]
    keys = where(34735, 2)
    doubles = where(34736, 8)
    _, id, what, *rest = damage.split(':')
    for k in range(struct.unpack('<H', data[keys + 6:keys + 8])[0]):
        at = keys + 8 + 8 * k
        key, location, count, value = struct.unpack('<HHHH', data[at:at + 8])
        if key != int(id):
            continue
        if what == 'index':
            data[at + 6:at + 8] = struct.pack('<H', int(rest[0]))
        else:
            data[doubles + 8 * value:doubles + 8 * value + 8] = struct.pack('<d', float('nan'))
    open(out, 'wb').write(data)
`;

/** Writes `<file>.keys.json`: the byte offset and length of the file's GeoKeyDirectoryTag and GeoDoubleParamsTag data. */
const LOCATE_KEYS = `
import sys, struct, json
path = sys.argv[1]
data = open(path, 'rb').read()
ifd = struct.unpack('<I', data[4:8])[0]
out = {}
for i in range(struct.unpack('<H', data[ifd:ifd + 2])[0]):
    at = ifd + 2 + 12 * i
    tag, kind, count = struct.unpack('<HHI', data[at:at + 8])
    size = {3: 2, 12: 8}.get(kind, 1) * count
    if tag in (34735, 34736):
        offset = at + 8 if size <= 4 else struct.unpack('<I', data[at + 8:at + 12])[0]
        out['keys' if tag == 34735 else 'doubles'] = [offset, size]
json.dump(out, open(path + '.keys.json', 'w'))
`;

let dir: string;
let made = 0;
const SCENE = (date: string) => fixture('taizhou', date, 'scene.tif');
const make = (srs: string, date = '2000-03-17', damage = 'none') => {
  const path = join(dir, `scene-${++made}.tif`);
  runGdalScript(MAKE, [SCENE(date), path, srs, damage]);
  return path;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-crs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GK_CM120 = '+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';
const ESRI_GK_CM120 =
  'PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],' +
  'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],' +
  'PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';
/** The fixture's own grid, UTM zone 51N (EPSG:32651), written as user-defined keys on GRS 1980. */
const UTM51_TMERC = '+proj=tmerc +lat_0=0 +lon_0=123 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs';
const UTM51_ZONE = '+proj=utm +zone=51 +ellps=GRS80 +units=m +no_defs';

const refusal = (path: string) => refusalOf(openGeoTiff({ path }, 'scene.tif'), 'not_georeferenced', { file: 'scene.tif' });

describe('user-defined CRSs', () => {
  it('reads each as the EPSG code whose definition it matches, and says what its keys hold', async () => {
    const cases: [string, number, string][] = [
      [GK_CM120, 4549, 'Transverse Mercator on CGCS2000 (GRS 1980 ellipsoid): central meridian 120°, latitude of origin 0°, scale 1, false easting 500000 m, false northing 0 m'],
      [ESRI_GK_CM120, 4549, 'central meridian 120°'],
      [GK_CM120.replace('+x_0=500000', '+x_0=40500000'), 4528, 'false easting 40500000 m'],
      ['+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs', 4548, 'central meridian 117°'],
      ['+proj=longlat +ellps=GRS80 +no_defs', 4490, 'longitude/latitude on CGCS2000'],
      [UTM51_TMERC, 32651, 'scale 0.9996'],
      [UTM51_ZONE, 32651, 'central meridian 123°'],
    ];
    for (const [srs, epsg, says] of cases) {
      const path = make(srs);
      const raster = await openGeoTiff({ path }, 'scene.tif');
      expect(raster.info.epsg, srs).toBe(epsg);
      expect(raster.info.crsParameters, srs).toContain(says);
      await raster.close();
      const described = await describeGeoTiff({ path }, 'scene.tif');
      expect(described.crs).toEqual({ epsg, parameters: raster.info.crsParameters });
    }
    // an EPSG-coded file records no parameters
    const coded = await openGeoTiff({ path: SCENE('2000-03-17') }, 'scene.tif');
    expect(coded.info).not.toHaveProperty('crsParameters');
    await coded.close();
  });

  it('refuses a CRS it does not know, naming the key: another ellipsoid, another method, another unit, parameters that match no code', async () => {
    const xian80 = await refusal(make('+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +a=6378140 +rf=298.257 +units=m +no_defs'));
    expect(xian80.field).toBe('GeogSemiMajorAxisGeoKey');
    expect(xian80.message).toContain('ellipsoid a = 6378140 m, 1/f = 298.257 is not GRS 1980, CGCS2000 or WGS 84');
    const lambert = await refusal(make('+proj=lcc +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs'));
    expect(lambert.field).toBe('ProjCoordTransGeoKey');
    expect(lambert.message).toContain('is not Transverse Mercator');
    const feet = await refusal(make(GK_CM120.replace('+units=m', '+units=us-ft')));
    expect(feet.field).toBe('ProjLinearUnitsGeoKey');
    const offMeridian = await refusal(make(GK_CM120.replace('+lon_0=120', '+lon_0=120.5')));
    expect(offMeridian.field).toBe('ProjectedCSTypeGeoKey');
    expect(offMeridian.message).toContain('central meridian 120.5°');
    expect(offMeridian.message).toContain('gdalwarp -t_srs EPSG:');
  });

  it('refuses damaged keys naming them: a value outside GeoDoubleParamsTag, a NaN parameter', async () => {
    const outside = await refusal(make(GK_CM120, '2000-03-17', 'key:3080:index:400'));
    expect(outside.field).toBe('ProjNatOriginLongGeoKey');
    expect(outside.message).toContain('must be one value inside GeoDoubleParamsTag');
    const nan = await refusal(make(GK_CM120, '2000-03-17', 'key:3082:nan'));
    expect(nan.field).toBe('GeoDoubleParamsTag');
    expect(nan.message).toContain('non-finite');
  });

  it('survives seeded damage to its GeoKeys and their parameters: a CRS read, or refused naming the file and a field', async () => {
    const path = make(GK_CM120);
    runGdalScript(LOCATE_KEYS, [path]);
    const original = new Uint8Array(readFileSync(path));
    const { keys, doubles } = JSON.parse(readFileSync(`${path}.keys.json`, 'utf8')) as Record<'keys' | 'doubles', [number, number]>;
    const outcomes = await countOutcomes(300, 0xc125, 'damaged.tif', async (random) => {
      const bytes = original.slice();
      const view = new DataView(bytes.buffer);
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        if (random() < 0.5) {
          // a SHORT of the key directory after its header: a key id, location, count or value
          const at = keys[0] + 8 + 2 * Math.floor(random() * ((keys[1] - 8) / 2));
          view.setUint16(at, [0, 1, 7, 1024, 2048, 3072, 3074, 3075, 32767, 16051, 0xffff, Math.floor(random() * 0x10000)][Math.floor(random() * 12)]!, true);
        } else {
          const at = doubles[0] + 8 * Math.floor(random() * (doubles[1] / 8));
          view.setFloat64(at, [NaN, Infinity, -1, 0, 1e300, 0.9996, 123, 6378140, random() * 1e7][Math.floor(random() * 9)]!, true);
        }
      }
      const raster = await openGeoTiff({ bytes }, 'damaged.tif');
      expect(Number.isInteger(raster.info.epsg)).toBe(true);
      await raster.close();
    });
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('not_georeferenced') ?? 0).toBeGreaterThan(30);
  });

  it('a pair in user-defined keys is detected as the same pair EPSG-coded: the same bytes, on its own or against a coded epoch', async () => {
    const parameters = defaultParameters({ tileSize: 128 });
    const coded = await detectPair({ before: { path: SCENE('2000-03-17') }, after: { path: SCENE('2003-02-06') }, parameters });
    const userDefined = await detectPair({ before: { path: make(UTM51_TMERC) }, after: { path: make(UTM51_ZONE, '2003-02-06') }, parameters });
    expect(userDefined.summary.epsg).toBe(32651);
    expect(userDefined.summary.userDefinedCrs?.before).toEqual({ epsg: 32651, parameters: expect.stringContaining('central meridian 123°, latitude of origin 0°, scale 0.9996') as string });
    expect(userDefined.summary.userDefinedCrs?.after?.epsg).toBe(32651);
    expect(coded.summary).not.toHaveProperty('userDefinedCrs');
    same(userDefined, coded);
    const after = make(UTM51_ZONE, '2003-02-06');
    const cli = runShoutu(['detect', '--before', SCENE('2000-03-17'), '--after', after, '--out', join(dir, 'cli-out')]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`${after}: CRS in user-defined GeoKeys, read as EPSG:32651, the same grid (Transverse Mercator on CGCS2000 (GRS 1980 ellipsoid): central meridian 123°`);
    expect(cli.stdout).not.toContain(`${SCENE('2000-03-17')}: CRS in user-defined`);
    same(await detectPair({ before: { path: SCENE('2000-03-17') }, after: { path: make(UTM51_TMERC, '2003-02-06') }, parameters, threads: 2 }), coded);
  });

  it('ingest takes an epoch in user-defined keys onto the area grid of an EPSG-coded one: the 图斑 and evidence of the coded epochs', async () => {
    const userDefined = await ingestTaizhouEpochs(dir, 'user-defined', (date, k) => (k === 0 ? SCENE(date) : make(UTM51_TMERC, date)), {});
    const coded = await ingestTaizhouEpochs(dir, 'coded', (date) => SCENE(date), {});
    const [, second] = userDefined.results;
    expect(second!.ingest.scenes[0]!.source).toBeUndefined(); // on the area's grid as it is: not resampled
    expect(second!.finalize.alerts.length).toBeGreaterThan(0);
    expect(geometry(second!.finalize.alerts)).toBe(geometry(coded.results[1]!.finalize.alerts));
    await sameEvidence(userDefined.store, coded.store, second!.finalize.alerts);
  });
});
