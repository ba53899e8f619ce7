/**
 * A polygon layer's bytes from a file — a farmland or red-line mask, an approval layer: GeoJSON as it is, or
 * an ESRI shapefile (`.shp` with its `.prj` beside it, and its `.dbf` and `.cpg` when there are) turned into
 * GeoJSON (read-shapefile.ts, read-dbf.ts), the CRS named by the EPSG code the .prj matches. What is stored
 * and pinned is that GeoJSON, so a layer reads, replays and exports alike whichever form it came in.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { epsgOfWkt } from '../geo/wkt-crs.js';
import { readDbf } from './read-dbf.js';
import { shapefileToGeoJson } from './read-shapefile.js';

export interface LayerFile {
  bytes: Uint8Array;
  /** the path as given */
  name: string;
  /** for a shapefile: the EPSG code its .prj was read as */
  shapefileEpsg?: number;
}

export async function readLayerFile(path: string): Promise<LayerFile> {
  if (!/\.shp$/i.test(path)) return { bytes: new Uint8Array(await readFile(path)), name: path };
  const stem = path.slice(0, -4);
  const prj = await sibling(stem, 'prj', 'utf8');
  if (prj === null) {
    throw new InvalidInputError('crs_unknown', `${path}: no ${basename(stem)}.prj beside it: the layer's coordinate reference system is unknown`, { file: path, field: 'prj' });
  }
  const { epsg } = epsgOfWkt(prj.data, { file: prj.path, field: 'prj' });
  const dbf = await sibling(stem, 'dbf', null);
  const cpg = await sibling(stem, 'cpg', 'utf8');
  const attributes = dbf === null ? null : readDbf(dbf.data, cpg?.data ?? null, dbf.path);
  const geojson = shapefileToGeoJson(new Uint8Array(await readFile(path)), epsg, path, attributes);
  return { bytes: new TextEncoder().encode(geojson), name: path, shapefileEpsg: epsg };
}

/** The file beside `stem` with extension `ext` (lower case, then upper), or null when there is none. */
async function sibling<E extends 'utf8' | null>(stem: string, ext: string, encoding: E): Promise<{ path: string; data: E extends 'utf8' ? string : Uint8Array } | null> {
  for (const path of [`${stem}.${ext}`, `${stem}.${ext.toUpperCase()}`]) {
    try {
      const data = encoding === 'utf8' ? await readFile(path, 'utf8') : new Uint8Array(await readFile(path));
      return { path, data: data as E extends 'utf8' ? string : Uint8Array };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
