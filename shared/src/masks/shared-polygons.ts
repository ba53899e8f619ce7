/**
 * A mask layer's rings held in one SharedArrayBuffer, each polygon's rings side by side. Worker threads then
 * receive a layer without copying its coordinates (a structured clone of a view on shared memory shares it),
 * the rasteriser reads a polygon's rings as one array without packing them again, and a layer is reprojected
 * once, by the calling thread, for every thread (maskLayerInCrs). A county's farmland layer is millions of
 * vertices: parsed, copied and reprojected again in each thread it cost seconds and hundreds of megabytes.
 */
import { InvalidInputError } from '../errors.js';
import { transformCoords } from '../geo/crs.js';
import type { MaskLayer } from './parse-mask-layer.js';

/** Doubles in one shared chunk: 8 MB, so a layer wastes at most the tail of each chunk. */
const CHUNK_DOUBLES = 1 << 20;

/**
 * Shared memory for polygons' rings, handed out polygon by polygon from chunks of SharedArrayBuffer: each
 * polygon's rings side by side in one chunk (a polygon larger than a chunk gets one of its own). Writing a
 * layer's rings here as they are parsed leaves no per-ring arrays to copy or collect afterwards.
 */
export class SharedRingStore {
  private chunk: Float64Array = new Float64Array(0);
  private used = 0;

  /** Room for one polygon of `doubles` values (x, y, … of all its rings). */
  reserve(doubles: number): Float64Array {
    if (this.used + doubles > this.chunk.length) {
      this.chunk = new Float64Array(new SharedArrayBuffer(Math.max(CHUNK_DOUBLES, doubles) * Float64Array.BYTES_PER_ELEMENT));
      this.used = 0;
    }
    this.used += doubles;
    return this.chunk.subarray(this.used - doubles, this.used);
  }
}

/** Views of `polygon` (one polygon's rings, side by side) of the given ring lengths, in doubles. */
export function ringViews(polygon: Float64Array, lengths: readonly number[]): Float64Array[] {
  let at = 0;
  return lengths.map((n) => polygon.subarray(at, (at += n)));
}

/**
 * The rings of one polygon as a single array (x, y, x, y, …, ring after ring) when they lie side by side in
 * one buffer, as SharedRingStore lays them out; else null.
 */
export function contiguousRings(rings: readonly Float64Array[]): Float64Array | null {
  const first = rings[0];
  if (first === undefined) return null;
  let end = first.byteOffset + first.byteLength;
  for (let k = 1; k < rings.length; k++) {
    const r = rings[k]!;
    if (r.buffer !== first.buffer || r.byteOffset !== end) return null;
    end += r.byteLength;
  }
  return new Float64Array(first.buffer, first.byteOffset, (end - first.byteOffset) / Float64Array.BYTES_PER_ELEMENT);
}

/**
 * The layer in another CRS, its rings shared (the layer itself when it is in `epsg` already). Vertices are
 * transformed one by one, straight edges kept between them, as the rasteriser would transform them; a
 * polygon with a vertex that does not transform is refused naming it.
 */
export function maskLayerInCrs(layer: MaskLayer, epsg: number): MaskLayer {
  if (epsg === layer.epsg) return layer;
  const store = new SharedRingStore();
  const polygons = layer.polygons.map((rings, p) => {
    const lengths = rings.map((r) => r.length);
    const xy = store.reserve(lengths.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const r of rings) {
      xy.set(r, at);
      at += r.length;
    }
    transformCoords(layer.epsg, epsg, xy);
    for (let i = 0; i < xy.length; i++) {
      if (!Number.isFinite(xy[i]!)) {
        throw new InvalidInputError('mask_invalid', `${layer.name}: polygon ${p} cannot be transformed from EPSG:${layer.epsg} to EPSG:${epsg}`, { file: layer.name, field: `polygons[${p}]` });
      }
    }
    return ringViews(xy, lengths);
  });
  return { ...layer, epsg, polygons };
}
