/**
 * A synthetic county at 10 m (UTM 51N, 128 × 128 pixels, 4 bands blue, green, red, nir as reflectance ×
 * 250): cropland with concrete rectangles (construction sites) where an epoch has them, and the map
 * geometry to put approvals or masks over them. Each date gets its own seeded noise.
 */
import proj4 from 'proj4';
import type { AlertFeature } from '@shoutu/shared';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';
import { encodeMultiBandGeoTiff } from './synthetic-geotiff.js';

export const SITE_SCENE_SIZE = 128;
const PIXEL = 10;
const ORIGIN = [500_000, 3_600_000] as const;
const CROP = [10, 18, 12, 88];
const CONCRETE = [50, 52, 55, 60];

/** Pixel rectangle, end exclusive. */
export type Rect = [x0: number, y0: number, x1: number, y1: number];

/** Map (UTM 51N) coordinates of a pixel corner. */
export const mapXYOf = (x: number, y: number): [number, number] => [ORIGIN[0] + x * PIXEL, ORIGIN[1] - y * PIXEL];

/** GeoJSON Polygon coordinates of a pixel rectangle, in map coordinates. */
export const rectangle = (x0: number, y0: number, x1: number, y1: number) => [[mapXYOf(x0, y0), mapXYOf(x1, y0), mapXYOf(x1, y1), mapXYOf(x0, y1), mapXYOf(x0, y0)]];

/** The GeoJSON `crs` member of layers drawn with `rectangle`. */
export const SITES_CRS = { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32651' } };

/** The epoch of `date` (YYYY-MM-DD) as a GeoTIFF, with concrete where `built` says. */
export function siteScene(date: string, built: readonly Rect[]): Uint8Array {
  const random = mulberry32(Number(date.replace(/-/g, '')));
  const size = SITE_SCENE_SIZE;
  const n = size * size;
  const planes = new Uint8Array(4 * n);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inSite = built.some(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1);
      for (let b = 0; b < 4; b++) planes[b * n + y * size + x] = Math.round((inSite ? CONCRETE : CROP)[b]! + (random() - 0.5) * 4);
    }
  }
  return encodeMultiBandGeoTiff({ width: size, height: size, bands: 4, planes, originX: ORIGIN[0], originY: ORIGIN[1], pixelSize: PIXEL });
}

const toLonLat = proj4('+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs', 'EPSG:4326');

/** The 图斑 whose bounding box holds the centre of the pixel rectangle `site`, when exactly one does; else null. */
export function tubanAt(alerts: readonly AlertFeature[], [x0, y0, x1, y1]: Rect): AlertFeature | null {
  const [lon, lat] = toLonLat.forward(mapXYOf((x0 + x1) / 2, (y0 + y1) / 2)) as [number, number];
  const found = alerts.filter(({ bbox: [w, s, e, n] }) => lon >= w && lon <= e && lat >= s && lat <= n);
  return found.length === 1 ? found[0]! : null;
}
