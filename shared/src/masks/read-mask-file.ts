/**
 * A mask layer's bytes from a file: GeoJSON as it is, or an ESRI shapefile (`.shp` with its `.prj` beside
 * it) turned into GeoJSON (read-shapefile.ts), the CRS named by the EPSG code the .prj matches. What is
 * stored and pinned is that GeoJSON, so a layer reads, replays and exports alike whichever form it came in.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { epsgOfWkt } from '../geo/wkt-crs.js';
import { shapefileToGeoJson } from './read-shapefile.js';

export interface MaskFile {
  bytes: Uint8Array;
  /** the path as given */
  name: string;
  /** for a shapefile: the EPSG code its .prj was read as */
  shapefileEpsg?: number;
}

export async function readMaskFile(path: string): Promise<MaskFile> {
  if (!/\.shp$/i.test(path)) return { bytes: new Uint8Array(await readFile(path)), name: path };
  const stem = path.slice(0, -4);
  let prj: string | null = null;
  for (const candidate of [`${stem}.prj`, `${stem}.PRJ`]) {
    prj = await readFile(candidate, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (prj !== null) break;
  }
  if (prj === null) {
    throw new InvalidInputError('crs_unknown', `${path}: no ${basename(stem)}.prj beside it: the layer's coordinate reference system is unknown`, { file: path, field: 'prj' });
  }
  const { epsg } = epsgOfWkt(prj, { file: `${stem}.prj`, field: 'prj' });
  const geojson = shapefileToGeoJson(new Uint8Array(await readFile(path)), epsg, path);
  return { bytes: new TextEncoder().encode(geojson), name: path, shapefileEpsg: epsg };
}
