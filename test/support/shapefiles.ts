/** Shapefiles and zip archives of them written by independent tools (GDAL's ogr, Python's zipfile) for the layer tests. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGdalScript } from './gdal.js';

/**
 * ogr2ogr `src` to a shapefile `out` (reprojected to `srs` unless "same"; its attributes in `encoding`, which
 * GDAL names in the .cpg), and GDAL's GeoJSON of that shapefile beside it (`.gdal.geojson`).
 */
const CONVERT = `
import sys
from osgeo import gdal
src, out, srs, encoding = sys.argv[1:5]
gdal.UseExceptions()
gdal.VectorTranslate(out, src, format='ESRI Shapefile', layerCreationOptions=['ENCODING=' + encoding], **({} if srs == 'same' else {'dstSRS': srs}))
gdal.VectorTranslate(out[:-4] + '.gdal.geojson', out, format='GeoJSON', layerCreationOptions=['COORDINATE_PRECISION=17', 'RFC7946=NO'])
`;

export function writeShapefile(src: string, out: string, srs: string, encoding: string): void {
  runGdalScript(CONVERT, [src, out, srs, encoding]);
}

/**
 * A zip entry: its name in the archive and its bytes, from a file (`path`) or text; `gbk` writes the name in
 * code page 936 without the UTF-8 flag, as Chinese Windows does; `stored` leaves it uncompressed.
 */
export interface ZipEntrySpec {
  name: string;
  path?: string;
  text?: string;
  gbk?: boolean;
  stored?: boolean;
}

const ZIP = `
import sys, json, zipfile
out, entries = sys.argv[1], json.loads(sys.argv[2])
class Gbk(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):
        return self.filename.encode('gbk'), self.flag_bits
with zipfile.ZipFile(out, 'w') as z:
    for e in entries:
        info = (Gbk if e.get('gbk') else zipfile.ZipInfo)(e['name'], date_time=(2025, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if e.get('stored') else zipfile.ZIP_DEFLATED
        z.writestr(info, open(e['path'], 'rb').read() if 'path' in e else e.get('text', '').encode())
`;

/** Writes the zip archive `out` of `entries`, in order. */
export function writeZip(out: string, entries: ZipEntrySpec[]): void {
  runGdalScript(ZIP, [out, JSON.stringify(entries)]);
}

/** GeoJSON text of 500 m squares in EPSG:4549 a kilometre apart, one a feature, with these properties. */
export function squaresLayer(properties: object[]): string {
  const square = (x: number) => [[[x, 3600000], [x + 500, 3600000], [x + 500, 3600500], [x, 3600500], [x, 3600000]]];
  return JSON.stringify({
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'EPSG:4549' } },
    features: properties.map((p, i) => ({ type: 'Feature', properties: p, geometry: { type: 'Polygon', coordinates: square(500000 + 1000 * i) } })),
  });
}

/**
 * A county's approval register as it is delivered: two approvals with the county's own field names (PZWH 批准文号,
 * YDLX 用地类型, PZRQ 批准日期, YXQZ 有效期至: empty for no end), Chinese kinds and written dates, as a GBK
 * shapefile zipped in a folder with GBK names (`批文/用地批文.*`) in `dir/批文.zip`. Returns the zip's path and
 * the shapefile's beside it.
 */
export function writeCountyRegister(dir: string): { zip: string; shp: string } {
  const geojson = join(dir, 'register.geojson');
  writeFileSync(
    geojson,
    squaresLayer([
      { PZWH: '苏政地〔2024〕17号', YDLX: '农用地转用', PZRQ: '2024/3/1', YXQZ: '' },
      { PZWH: '泰临地〔2025〕3号', YDLX: '临时用地', PZRQ: '2025年1月15日', YXQZ: '20260114' },
    ]),
  );
  const shp = join(dir, 'register.shp');
  writeShapefile(geojson, shp, 'same', 'CP936');
  const zip = join(dir, '批文.zip');
  writeZip(zip, ['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => ({ name: `批文/用地批文.${ext}`, path: shp.replace(/shp$/, ext), gbk: true })));
  return { zip, shp };
}
