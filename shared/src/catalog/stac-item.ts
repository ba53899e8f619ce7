/**
 * The STAC Item (STAC 1.0.0) of an ingested scene, stored beside its scene record so that any STAC tool
 * can read the catalog: footprint and bbox in WGS84, acquisition date, platform, constellation and
 * instruments (from the batch's sensor), and the projection (proj v1.1.0), band (eo v1.1.0: common
 * names from the manifest) and sample (raster v1.1.0: data type, nodata, reflectance scale) extensions.
 *
 * A scene resampled onto its area's grid describes the resampled file (`image`, and the proj fields) and
 * lists the operator's delivery as the `original` asset, with its own proj fields.
 *
 * The asset href is relative to the item (`../../batches/<batch>/files/<file>`), so the same bytes are
 * right on the local data directory and on S3 (embedded and queue mode write identical items).
 */
import type { SceneRecord } from './scene-record.js';
import { keys } from './keys.js';
import { placementFootprint } from './scene-footprint.js';

export const STAC_VERSION = '1.0.0';
export const STAC_EXTENSIONS = [
  'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
] as const;

export interface StacItem {
  type: 'Feature';
  stac_version: typeof STAC_VERSION;
  stac_extensions: string[];
  id: string;
  geometry: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
  bbox: [number, number, number, number];
  properties: Record<string, unknown> & { datetime: string };
  links: Array<{ rel: string; href: string; type?: string; title?: string }>;
  assets: Record<string, { href: string; type: string; roles: string[]; title?: string; [field: string]: unknown }>;
}

/** STAC platform, constellation and instruments read from a sensor name such as "GF-2 PMS" or "Landsat 8 OLI/TIRS". */
export function platformOfSensor(sensor: string): { platform: string; constellation?: string; instruments?: string[] } {
  const s = sensor.trim();
  const instrumentsOf = (rest: string | undefined) => {
    const list = (rest ?? '').split(/[\s/,+]+(?=[A-Za-z])|[\s/,]+/).map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
    return list.length > 0 ? { instruments: list } : {};
  };
  const patterns: Array<[RegExp, (m: RegExpExecArray) => { platform: string; constellation?: string; instruments?: string[] }]> = [
    [/^landsat[\s-]*(\d+)\s*(.*)$/i, (m) => ({ platform: `landsat-${m[1]}`, constellation: 'landsat', ...instrumentsOf(m[2]) })],
    [/^sentinel[\s-]*2([ab])?\s*(.*)$/i, (m) => ({ platform: `sentinel-2${(m[1] ?? '').toLowerCase()}`, constellation: 'sentinel-2', ...instrumentsOf(m[2]) })],
    [/^(?:gf|gaofen)[\s-]*(\d+)([a-z]?)\s*(.*)$/i, (m) => ({ platform: `gf-${m[1]}${m[2]!.toLowerCase()}`, constellation: 'gaofen', ...instrumentsOf(m[3]) })],
    [/^(?:zy|ziyuan)[\s-]*(\d+)([a-z0-9-]*)\s*(.*)$/i, (m) => ({ platform: `zy-${m[1]}${m[2]!.toLowerCase()}`, constellation: 'ziyuan', ...instrumentsOf(m[3]) })],
  ];
  for (const [re, build] of patterns) {
    const m = re.exec(s);
    if (m) return build(m);
  }
  // anything else (drone cameras, other satellites): the whole name as the platform
  return { platform: s.toLowerCase().replace(/\s+/g, '-') };
}

/** raster extension nodata: a number, or "nan", "inf", "-inf". */
function rasterNodata(value: number): number | string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value;
}

/** The path of `key` relative to the folder of `from` (both storage keys). */
function relativeKey(from: string, key: string): string {
  const base = from.split('/').slice(0, -1);
  const target = key.split('/');
  let common = 0;
  while (common < base.length && common < target.length - 1 && base[common] === target[common]) common++;
  return [...base.slice(common).map(() => '..'), ...target.slice(common)].join('/') || '.';
}

/** The scene's STAC Item (deterministic: a function of the scene record alone). */
export function stacItemOf(scene: SceneRecord): StacItem {
  const itemKey = keys.stacItem(scene.sceneId);
  const { raster, placement, validity } = scene;
  const { coordinates, bbox } = placementFootprint(placement);
  // A co-registered scene's pixels stand `shift` pixels from where the file puts them: the item says where the
  // pipeline reads them (the footprint is its placement's).
  const [dx, dy] = scene.coregistration?.shift ?? [0, 0];
  const [fx0, pw, , fy0, , nph] = raster.geoTransform;
  const [x0, y0] = [fx0 - dx * pw, fy0 - dy * nph];
  const dataType = `${raster.sampleFormat}${raster.bitsPerSample}`;
  const maskBand = validity?.cloudMask?.band; // 0-based index of a cloud mask band after the image bands
  const eoBands = Array.from({ length: raster.bands }, (_, b) => {
    const common = scene.bands[b];
    if (common !== undefined) return { name: common, common_name: common };
    if (b === validity?.alphaBand) return { name: 'alpha', description: 'transparency: 0 where the image does not cover the ground' };
    return { name: b === maskBand ? 'cloud_mask' : `b${b + 1}`, ...(b === maskBand ? { description: 'operator cloud and shadow mask' } : {}) };
  });
  const scale = validity?.reflectance;
  const rasterBands = Array.from({ length: raster.bands }, (_, b) => ({
    data_type: dataType,
    ...(raster.nodata !== null ? { nodata: rasterNodata(raster.nodata) } : {}),
    ...(scale && b < scene.bands.length ? { scale: scale.scale, offset: scale.offset } : {}),
  }));
  const assets: StacItem['assets'] = {
    image: {
      href: relativeKey(itemKey, scene.file.key),
      type: 'image/tiff; application=geotiff',
      roles: ['data'],
      title: scene.file.name,
      'eo:bands': eoBands,
      'raster:bands': rasterBands,
    },
  };
  const source = scene.source;
  if (source) {
    // resampled onto the area's grid: the image is the resampled file, the operator's delivery is kept too
    const [sx0, spw, , sy0, , snph] = source.raster.geoTransform;
    assets['original'] = {
      href: relativeKey(itemKey, source.file.key),
      type: 'image/tiff; application=geotiff',
      roles: ['source'],
      title: `${source.file.name} as delivered`,
      'proj:epsg': source.raster.epsg,
      'proj:shape': [source.raster.height, source.raster.width],
      'proj:transform': [spw, 0, sx0, 0, snph, sy0],
    };
  }
  const maskFile = validity?.cloudMask?.file;
  if (maskFile) {
    assets['cloud-mask'] = { href: relativeKey(itemKey, maskFile.key), type: 'image/tiff; application=geotiff', roles: ['data-mask'], title: maskFile.name };
  }
  return {
    type: 'Feature',
    stac_version: STAC_VERSION,
    stac_extensions: [...STAC_EXTENSIONS],
    id: scene.sceneId,
    geometry: { type: 'Polygon', coordinates },
    bbox,
    properties: {
      // the manifest gives the acquisition date, not the time: the item spans that (UTC) day
      datetime: `${scene.acquiredAt}T00:00:00Z`,
      start_datetime: `${scene.acquiredAt}T00:00:00Z`,
      end_datetime: `${scene.acquiredAt}T23:59:59Z`,
      ...platformOfSensor(scene.sensor),
      'proj:epsg': raster.epsg,
      'proj:shape': [raster.height, raster.width],
      'proj:transform': [pw, 0, x0, 0, nph, y0],
      'proj:bbox': [x0, y0 + nph * raster.height, x0 + pw * raster.width, y0],
      'shoutu:platform_type': scene.platform,
      'shoutu:sensor': scene.sensor,
      'shoutu:batch_id': scene.batchId,
      'shoutu:region_code': scene.regionCode,
      'shoutu:grid_id': placement.lattice.gridId,
      ...(scene.coregistration ? { 'shoutu:coregistration': scene.coregistration } : {}),
    },
    links: [{ rel: 'alternate', href: relativeKey(itemKey, keys.scene(scene.sceneId)), type: 'application/json', title: 'shoutu scene record' }],
    assets,
  };
}
