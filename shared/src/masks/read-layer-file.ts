/**
 * A polygon layer's bytes from a file — a farmland or red-line mask, an approval layer: GeoJSON as it is; an
 * ESRI shapefile (`.shp` with its `.prj` beside it, and its `.dbf` and `.cpg` when there are) turned into
 * GeoJSON (read-shapefile.ts, read-dbf.ts), the CRS named by the EPSG code the .prj matches; or a zip
 * archive holding one of those (read-layer-archive.ts), known by its first bytes whatever its name. What is
 * stored and pinned is that GeoJSON, so a layer reads, replays and exports alike whichever form it came in.
 */
import { readBytes } from '../util/read-bytes.js';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidInputError } from '../errors.js';
import { epsgOfWkt } from '../geo/wkt-crs.js';
import { readDbf } from './read-dbf.js';
import { isZipArchive, MAX_LAYER_ARCHIVE_BYTES, readLayerArchive, type ArchivedFile } from './read-layer-archive.js';
import { shapefileToGeoJson } from './read-shapefile.js';

export interface LayerFile {
  bytes: Uint8Array;
  /** the path as given */
  name: string;
  /** for a shapefile: the EPSG code its .prj was read as */
  shapefileEpsg?: number;
  /** for a zip archive: the entry the layer was read from (`archive.zip:folder/name.shp`) */
  archiveEntry?: string;
}

export async function readLayerFile(path: string): Promise<LayerFile> {
  // `archive.zip:folder/name.shp`: one layer of an archive of several (a path that exists is a path)
  const inArchive = /^(.+?\.zip):(.+)$/i.exec(path);
  if (inArchive && !(await isFile(path)) && (await isFile(inArchive[1]!))) {
    return { ...(await layerOfBytes(await readBytes(inArchive[1]!), inArchive[1]!, MAX_LAYER_ARCHIVE_BYTES, inArchive[2]!)), name: path };
  }
  if (/\.shp$/i.test(path)) {
    const stem = path.slice(0, -4);
    const shp = { path, data: await readBytes(path) };
    const [prj, dbf, cpg] = await Promise.all([sibling(stem, 'prj'), sibling(stem, 'dbf'), sibling(stem, 'cpg')]);
    return { ...shapefileLayer(shp, prj, dbf, cpg, `no ${basename(stem)}.prj beside it`), name: path };
  }
  return layerOfBytes(await readBytes(path), path);
}

/**
 * A layer sent as bytes (a file's, or a request body): a zip archive of one layer (or the layer `entry`
 * names in it) is opened, inflating at most `maxArchiveBytes`; anything else is taken as GeoJSON and
 * checked where it is parsed.
 */
export async function layerOfBytes(bytes: Uint8Array, name: string, maxArchiveBytes = MAX_LAYER_ARCHIVE_BYTES, entry?: string): Promise<LayerFile> {
  if (!isZipArchive(bytes)) {
    if (entry !== undefined) throw new InvalidInputError('layer_archive_invalid', `${name}: not a zip archive, so it holds no entry ${entry}`, { file: name, field: 'entry' });
    return { bytes, name };
  }
  const layer = await readLayerArchive(bytes, name, maxArchiveBytes, entry);
  if (layer.kind === 'geojson') return { bytes: layer.geojson.data, name, archiveEntry: layer.geojson.path };
  const shp = layer.shp.entry.slice(layer.shp.entry.lastIndexOf('/') + 1);
  return { ...shapefileLayer(layer.shp, layer.prj, layer.dbf, layer.cpg, `no ${shp.slice(0, -4)}.prj in the archive beside ${shp}`), name, archiveEntry: layer.shp.path };
}

type Part = Pick<ArchivedFile, 'path' | 'data'>;

/** A shapefile's parts as GeoJSON; `noPrj` says where the missing .prj was looked for. */
function shapefileLayer(shp: Part, prj: Part | null, dbf: Part | null, cpg: Part | null, noPrj: string): Omit<LayerFile, 'name'> {
  if (prj === null) {
    throw new InvalidInputError('crs_unknown', `${shp.path}: ${noPrj}: the layer's coordinate reference system is unknown`, { file: shp.path, field: 'prj' });
  }
  const text = (file: Part) => new TextDecoder().decode(file.data);
  const { epsg } = epsgOfWkt(text(prj), { file: prj.path, field: 'prj' });
  const attributes = dbf === null ? null : readDbf(dbf.data, cpg === null ? null : text(cpg), dbf.path);
  const geojson = shapefileToGeoJson(shp.data, epsg, shp.path, attributes);
  return { bytes: new TextEncoder().encode(geojson), shapefileEpsg: epsg };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The file beside `stem` with extension `ext` (lower case, then upper), or null when there is none. */
async function sibling(stem: string, ext: string): Promise<Part | null> {
  for (const path of [`${stem}.${ext}`, `${stem}.${ext.toUpperCase()}`]) {
    try {
      return { path, data: await readBytes(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
