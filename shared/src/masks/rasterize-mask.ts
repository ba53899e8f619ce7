/**
 * Burning mask layers onto raster windows.
 */
import { InvalidInputError } from '../errors.js';
import { transformCoords } from '../geo/crs.js';
import { fillPolygon } from '../kernels/rasterize-polygon.js';
import type { GeoTransform } from '../raster/geotransform.js';
import type { MaskLayer } from './parse-mask-layer.js';
import { contiguousRings } from './shared-polygons.js';

export interface MaskGrid {
  epsg: number;
  /** geotransform of the window (pixel (0,0) = window's top-left pixel) */
  geoTransform: GeoTransform;
  width: number;
  height: number;
}

/** A layer's polygons in one CRS, packed for the fill kernel. */
interface PackedLayer {
  /** per polygon: all ring vertices (x,y) in the grid CRS */
  coords: Float64Array[];
  /** per polygon: ring vertex offsets, length rings+1 */
  ringStarts: Uint32Array[];
  /** per polygon: minX, minY, maxX, maxY in the grid CRS */
  bbox: Float64Array;
  maxVertices: number;
}

/** Reprojected layers, per layer object and target EPSG (layers are treated as immutable). */
const packedCache = new WeakMap<MaskLayer, Map<number, PackedLayer>>();

function pack(layer: MaskLayer, epsg: number): PackedLayer {
  let byEpsg = packedCache.get(layer);
  const cached = byEpsg?.get(epsg);
  if (cached !== undefined) return cached;
  const coords: Float64Array[] = [];
  const ringStarts: Uint32Array[] = [];
  const bbox = new Float64Array(layer.polygons.length * 4);
  let maxVertices = 0;
  layer.polygons.forEach((rings, p) => {
    let n = 0;
    for (const r of rings) n += r.length >> 1;
    const starts = new Uint32Array(rings.length + 1);
    let v = 0;
    rings.forEach((r, k) => {
      starts[k] = v;
      v += r.length >> 1;
    });
    starts[rings.length] = v;
    // a layer in the grid's CRS whose rings lie side by side (parsed layers, maskLayerInCrs) is read in place
    const inPlace = epsg === layer.epsg ? contiguousRings(rings) : null;
    let xy: Float64Array;
    if (inPlace !== null) xy = inPlace;
    else {
      xy = new Float64Array(n * 2);
      rings.forEach((r, k) => xy.set(r, starts[k]! * 2));
      if (epsg !== layer.epsg) transformCoords(layer.epsg, epsg, xy);
    }
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    let maxX = Number.NEGATIVE_INFINITY;
    let maxY = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < xy.length; i += 2) {
      const x = xy[i]!;
      const y = xy[i + 1]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        throw new InvalidInputError(
          'mask_invalid',
          `${layer.name}: polygon ${p} cannot be transformed from EPSG:${layer.epsg} to EPSG:${epsg}`,
          { file: layer.name, field: `polygons[${p}]` },
        );
      }
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    bbox.set([minX, minY, maxX, maxY], p * 4);
    coords.push(xy);
    ringStarts.push(starts);
    if (n > maxVertices) maxVertices = n;
  });
  const packed: PackedLayer = { coords, ringStarts, bbox, maxVertices };
  if (byEpsg === undefined) {
    byEpsg = new Map();
    packedCache.set(layer, byEpsg);
  }
  byEpsg.set(epsg, packed);
  return packed;
}

/**
 * Rasterises the layer onto a grid (epsg, geoTransform of the window, width, height): reprojects
 * vertices to the grid CRS (straight edges between reprojected vertices, as gdal_rasterize does) and to
 * pixel coordinates, then fills each polygon (even-odd within its rings, so holes stay empty) by
 * pixel-centre sampling (tie rule: see kernels/rasterize-polygon.ts), OR-ing `value` into out
 * (Uint8Array(width*height)). Polygons whose bbox misses the window are skipped cheaply. Reprojected
 * vertices are cached per layer object and grid EPSG.
 */
export function rasterizeMaskLayer(layer: MaskLayer, grid: MaskGrid, value: number, out: Uint8Array): void {
  const { width, height, geoTransform: gt } = grid;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`rasterizeMaskLayer: invalid grid size ${width}x${height}`);
  }
  if (out.length !== width * height) throw new RangeError(`rasterizeMaskLayer: out has ${out.length} values, grid needs ${width * height}`);
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`rasterizeMaskLayer: value ${value} is not a byte`);
  if (width === 0 || height === 0 || layer.polygons.length === 0) return;
  const det = gt[1] * gt[5] - gt[2] * gt[4];
  if (!Number.isFinite(det) || det === 0) throw new RangeError('rasterizeMaskLayer: geoTransform is not invertible');

  const packed = pack(layer, grid.epsg);
  // window extent in map coordinates (affine: the corners bound it)
  let wMinX = Number.POSITIVE_INFINITY;
  let wMinY = Number.POSITIVE_INFINITY;
  let wMaxX = Number.NEGATIVE_INFINITY;
  let wMaxY = Number.NEGATIVE_INFINITY;
  for (const [px, py] of [[0, 0], [width, 0], [0, height], [width, height]] as const) {
    const x = gt[0] + px * gt[1] + py * gt[2];
    const y = gt[3] + px * gt[4] + py * gt[5];
    if (x < wMinX) wMinX = x;
    if (x > wMaxX) wMaxX = x;
    if (y < wMinY) wMinY = y;
    if (y > wMaxY) wMaxY = y;
  }
  // inverse affine: px = a*(x-x0) + b*(y-y0), py = c*(x-x0) + d*(y-y0)
  const a = gt[5] / det;
  const b = -gt[2] / det;
  const c = -gt[4] / det;
  const d = gt[1] / det;
  const pixel = new Float64Array(packed.maxVertices * 2);
  const xs = new Float64Array(packed.maxVertices);
  for (let p = 0; p < packed.coords.length; p++) {
    const o = p * 4;
    if (packed.bbox[o + 2]! < wMinX || packed.bbox[o]! > wMaxX || packed.bbox[o + 3]! < wMinY || packed.bbox[o + 1]! > wMaxY) continue;
    const xy = packed.coords[p]!;
    for (let i = 0; i < xy.length; i += 2) {
      const dx = xy[i]! - gt[0];
      const dy = xy[i + 1]! - gt[3];
      pixel[i] = a * dx + b * dy;
      pixel[i + 1] = c * dx + d * dy;
    }
    const starts = packed.ringStarts[p]!;
    fillPolygon(pixel, starts, starts.length - 1, width, height, value, out, xs);
  }
}
