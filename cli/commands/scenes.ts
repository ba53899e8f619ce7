import { parseArgs } from 'node:util';
import { createStore, InvalidInputError, parseBbox, parseQueryDate, queryScenes, stableJson, storeConfigFromEnv, type SceneQuery, type StacItem } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

const USAGE = 'usage: shoutu scenes [--bbox minLon,minLat,maxLon,maxLat] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]';

/**
 * `shoutu scenes`: the ingested scenes whose footprint meets a WGS84 box and whose acquisition date lies
 * in a range (both ends inclusive), from the configured storage; a table, or with --json a GeoJSON
 * FeatureCollection of their STAC Items.
 */
export async function runScenes(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { bbox: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new InvalidInputError('argument_invalid', `${USAGE} (unexpected "${positionals[0]}")`, { field: positionals[0] });
  const query: SceneQuery = {
    ...(values.bbox !== undefined ? { bbox: parseBbox(values.bbox) } : {}),
    ...(values.from !== undefined ? { from: parseQueryDate(values.from, 'from') } : {}),
    ...(values.to !== undefined ? { to: parseQueryDate(values.to, 'to') } : {}),
  };
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  const items = await queryScenes(store, query);
  if (values.json) {
    process.stdout.write(stableJson({ type: 'FeatureCollection', features: items }, 2));
  } else {
    process.stdout.write(scenesTable(items));
  }
  return 0;
}

/** One line per scene: id, date, platform, sensor, bands, size, CRS, WGS84 bbox. */
export function scenesTable(items: readonly StacItem[]): string {
  const header = ['scene', 'date', 'platform', 'sensor', 'bands', 'size', 'CRS', 'bbox (lon/lat)'];
  const rows = items.map((item) => {
    const p = item.properties;
    const shape = p['proj:shape'] as [number, number];
    const bands = (item.assets['image']?.['eo:bands'] as Array<{ name: string }> | undefined)?.map((b) => b.name).join(',') ?? '';
    return [item.id, p.datetime.slice(0, 10), String(p['platform'] ?? ''), String(p['shoutu:sensor'] ?? ''), bands, `${shape[1]} × ${shape[0]}`, `EPSG:${p['proj:epsg']}`, item.bbox.map((v) => v.toFixed(4)).join(',')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line), `${items.length} scene(s)`].join('\n') + '\n';
}
