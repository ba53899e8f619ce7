/**
 * Mask layers at county size: parsing and reprojecting a farmland layer of many parcels, against baselines
 * measured in the same run on the same bytes.
 *
 * Usage: npx tsx scripts/bench-layers.ts [--parcels 100000] [--vertices 50]
 *
 * The layer is generated (seeded, deterministic): `parcels` round parcels of `vertices` positions each over
 * a 16 km square in EPSG:32650, with a few Chinese attributes per feature, as county farmland layers carry.
 * Rows:
 *   - parseMaskLayer, MB/s of GeoJSON, against JSON.parse of the same text (decoding included): the whole
 *     document's object graph, what the parse avoids building; and the heap and shared memory the parsed
 *     layer holds, against the bytes of its coordinates as float64;
 *   - maskLayerInCrs to EPSG:4490, Mvertices/s, against proj4 through transformCoords on one flat array of
 *     the same vertices (the transform alone).
 * Each timing is the best of its runs after one warm-up (bench-harness.ts).
 */
import { bestTimeMs } from '../shared/src/kernels/bench-harness.js';
import { transformCoords } from '../shared/src/geo/crs.js';
import { parseMaskLayer, type MaskLayer } from '../shared/src/masks/index.js';
import { maskLayerInCrs } from '../shared/src/masks/shared-polygons.js';
import { mulberry32 } from '../shared/src/kernels/test-random.js';
import { positiveIntOption } from './bench/options.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// a full collection before and after each measurement of memory held (the flag, then a fresh context's gc)
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const parcels = positiveIntOption('parcels', 100_000);
const vertices = positiveIntOption('vertices', 50);

function countyLayer(): Uint8Array {
  const random = mulberry32(0x1a7e5);
  const side = Math.ceil(Math.sqrt(parcels));
  const step = 16_000 / side;
  const features: string[] = [];
  for (let p = 0; p < parcels; p++) {
    const cx = 420_000 + ((p % side) + 0.5) * step;
    const cy = 3_560_000 - (Math.floor(p / side) + 0.5) * step;
    const ring: string[] = [];
    for (let k = 0; k < vertices - 1; k++) {
      const r = step * (0.3 + 0.15 * random());
      const a = (2 * Math.PI * k) / (vertices - 1);
      ring.push(`[${(cx + r * Math.cos(a)).toFixed(3)},${(cy + r * Math.sin(a)).toFixed(3)}]`);
    }
    ring.push(ring[0]!);
    features.push(`{"type":"Feature","properties":{"DLBM":"0101","DLMC":"水田","TBBH":"${p}","ZLDWMC":"某镇某村"},"geometry":{"type":"Polygon","coordinates":[[${ring.join(',')}]]}}`);
  }
  return new TextEncoder().encode(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:32650"}},"features":[\n${features.join(',\n')}\n]}`);
}

const bytes = countyLayer();
const mb = bytes.length / 1e6;
const totalVertices = parcels * (vertices - 1);
console.log(`layer: ${parcels.toLocaleString('en')} parcels × ${vertices - 1} vertices (${(totalVertices / 1e6).toFixed(1)} M), ${mb.toFixed(1)} MB of GeoJSON, EPSG:32650`);

let layer: MaskLayer | null = null;
const parseMs = bestTimeMs(() => void (layer = parseMaskLayer(bytes, 'county.geojson')), 1, 3);
const documentMs = bestTimeMs(() => void JSON.parse(new TextDecoder().decode(bytes)), 1, 3);

const heapOf = (make: () => unknown) => {
  gc();
  const before = process.memoryUsage();
  const held = make();
  gc();
  const after = process.memoryUsage();
  const mib = (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / 1e6;
  return { held, mib };
};
const parsedHeld = heapOf(() => parseMaskLayer(bytes, 'county.geojson'));
const documentHeld = heapOf(() => JSON.parse(new TextDecoder().decode(bytes)));

const flat = new Float64Array(totalVertices * 2);
let at = 0;
for (const rings of layer!.polygons) for (const r of rings) (flat.set(r, at), (at += r.length));
const reprojectMs = bestTimeMs(() => void maskLayerInCrs(layer!, 4490), 1, 3);
const transformMs = bestTimeMs(() => transformCoords(32650, 4490, flat.slice()), 1, 3);

const rows: [string, string, string, string][] = [
  ['parseMaskLayer (MB/s of GeoJSON)', (mb / (parseMs / 1000)).toFixed(1), (mb / (documentMs / 1000)).toFixed(1), `JSON.parse of the whole text`],
  ['memory held after parsing (MB)', parsedHeld.mib.toFixed(0), documentHeld.mib.toFixed(0), `JSON.parse's object graph; coordinates alone ${((totalVertices * 16) / 1e6).toFixed(0)} MB`],
  ['maskLayerInCrs 32650 → 4490 (Mvertices/s)', (totalVertices / 1e3 / reprojectMs).toFixed(2), (totalVertices / 1e3 / transformMs).toFixed(2), 'transformCoords on one flat array'],
];
console.log(`\n${'row'.padEnd(70)}${'shoutu'.padStart(10)}${'baseline'.padStart(10)}  ratio  baseline`);
for (const [name, mine, base, what] of rows) {
  const ratio = Number(mine) / Number(base);
  console.log(`${name.padEnd(70)}${mine.padStart(10)}${base.padStart(10)}  ${ratio.toFixed(2).padStart(5)}  ${what}`);
}
