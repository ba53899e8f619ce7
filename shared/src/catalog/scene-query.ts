/**
 * Queries the scene catalog by area and time (`shoutu scenes --bbox … --from … --to …`): the STAC Items
 * of the scenes whose footprint intersects a WGS84 box and whose acquisition day lies in a date range.
 * Every scene is looked at (one listing, one read per scene): fine for the thousands of scenes of a
 * county's archive, not meant for millions.
 */
import type { BlobStore } from '../storage/index.js';
import { InvalidInputError } from '../errors.js';
import { IsoDate } from '../schemas/manifest.js';
import { keys } from './keys.js';
import { SceneRecord } from './scene-record.js';
import { stacItemOf, type StacItem } from './stac-item.js';

export interface SceneQuery {
  /** [minLon, minLat, maxLon, maxLat], WGS84 degrees */
  bbox?: [number, number, number, number];
  /** first acquisition date, YYYY-MM-DD, inclusive */
  from?: string;
  /** last acquisition date, YYYY-MM-DD, inclusive */
  to?: string;
}

/** Parses `minLon,minLat,maxLon,maxLat`; InvalidInputError naming `field` otherwise. */
export function parseBbox(text: string, field = 'bbox'): [number, number, number, number] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  const bad = (why: string) => new InvalidInputError('argument_invalid', `--${field} ${JSON.stringify(text)}: ${why}`, { field });
  if (parts.length !== 4 || parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) throw bad('expected four numbers minLon,minLat,maxLon,maxLat');
  const [minLon, minLat, maxLon, maxLat] = values as [number, number, number, number];
  if (minLon < -180 || maxLon > 180 || minLat < -90 || maxLat > 90) throw bad('longitudes must lie in -180…180 and latitudes in -90…90');
  if (minLon > maxLon || minLat > maxLat) throw bad('the minimum must not exceed the maximum (boxes across the antimeridian are not supported)');
  return [minLon, minLat, maxLon, maxLat];
}

/** Checks a YYYY-MM-DD date; InvalidInputError naming `field` otherwise. */
export function parseQueryDate(text: string, field: string): string {
  const result = IsoDate.safeParse(text);
  if (!result.success) throw new InvalidInputError('argument_invalid', `--${field} ${JSON.stringify(text)}: ${result.error.issues[0]!.message}`, { field });
  return result.data;
}

/**
 * The STAC Items of the scenes matching the query, oldest first (ties by id). Scenes stored before
 * items were written get theirs built from the scene record.
 */
export async function queryScenes(store: BlobStore, query: SceneQuery): Promise<StacItem[]> {
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new InvalidInputError('argument_invalid', `--from ${query.from} is after --to ${query.to}`, { field: 'from' });
  }
  const listed = await store.list(keys.scenes());
  const present = new Set(listed);
  const items: StacItem[] = [];
  for (const key of listed) {
    if (!key.endsWith('.json') || key.endsWith('.stac.json')) continue;
    const sceneId = key.slice(keys.scenes().length, -'.json'.length);
    const itemKey = keys.stacItem(sceneId);
    const item = present.has(itemKey)
      ? (JSON.parse(Buffer.from(await store.get(itemKey)).toString('utf8')) as StacItem)
      : stacItemOf(SceneRecord.parse(JSON.parse(Buffer.from(await store.get(key)).toString('utf8'))));
    if (matches(item, query)) items.push(item);
  }
  return items.sort((a, b) => (a.properties.datetime < b.properties.datetime ? -1 : a.properties.datetime > b.properties.datetime ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function matches(item: StacItem, query: SceneQuery): boolean {
  const day = item.properties.datetime.slice(0, 10);
  if (query.from !== undefined && day < query.from) return false;
  if (query.to !== undefined && day > query.to) return false;
  return query.bbox === undefined || polygonIntersectsBox(item.geometry.coordinates[0]!, query.bbox);
}

/** Whether a closed ring (lon/lat) and a box share at least one point (touching counts). */
export function polygonIntersectsBox(ring: ReadonlyArray<readonly [number, number]>, box: readonly [number, number, number, number]): boolean {
  const [x0, y0, x1, y1] = box;
  const inBox = ([x, y]: readonly [number, number]) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
  if (ring.some(inBox)) return true;
  const corners: Array<[number, number]> = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
  if (corners.some((c) => insideRing(ring, c))) return true;
  for (let i = 0; i + 1 < ring.length; i++) {
    for (let k = 0; k < 4; k++) {
      if (segmentsIntersect(ring[i]!, ring[i + 1]!, corners[k]!, corners[(k + 1) % 4]!)) return true;
    }
  }
  return false;
}

/** Even-odd rule (the ring is closed: its last point repeats the first). */
function insideRing(ring: ReadonlyArray<readonly [number, number]>, [px, py]: readonly [number, number]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 2; i < ring.length - 1; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function orientation(a: readonly [number, number], b: readonly [number, number], c: readonly [number, number]): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(a: readonly [number, number], b: readonly [number, number], p: readonly [number, number]): boolean {
  return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
}

function segmentsIntersect(a: readonly [number, number], b: readonly [number, number], c: readonly [number, number], d: readonly [number, number]): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}
