import { labelComponents, labelScratchLength } from '../kernels/label-components.js';
import { componentStats } from '../kernels/component-stats.js';
import { traceOutline } from '../kernels/trace-outline.js';
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { transformCoords } from '../geo/crs.js';
import { round, squareMetresToMu } from '../util/round.js';
import { MASK_LAYERS, type MaskLayerName } from './parameters.js';
import { pixelAreaM2 } from './pixel-area.js';

export interface MaskOverlap {
  pixels: number;
  areaM2: number;
  areaMu: number;
}

/** A change patch (图斑 candidate) of one tile window. */
export interface Patch {
  /** Component label inside the window (1-based, raster order). */
  label: number;
  pixelCount: number;
  areaM2: number;
  areaMu: number;
  meanScore: number;
  /** Global lattice pixel bbox [colMin, rowMin, colMax+1, rowMax+1]. */
  pixelBbox: [number, number, number, number];
  /** Outline rings on global lattice pixel corners (exterior first, then holes), flat [c0,r0,c1,r1,…]. */
  outline: number[][];
  /** WGS84 lon/lat bbox of the outline [west, south, east, north]. */
  bbox: [number, number, number, number];
  /** WGS84 lon/lat of the pixel centroid. */
  centroid: [number, number];
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  overlap: Record<MaskLayerName, MaskOverlap>;
}

const COORD_DECIMALS = 7; // ≈ 1 cm in latitude
const AREA_DECIMALS = 2;
const MU_DECIMALS = 4;
const SCORE_DECIMALS = 4;

/**
 * Labels the cleaned change mask (8-connected), drops patches under the minimum area and describes the
 * rest. `classes` holds the mask layers as bits (MASK_LAYERS order). Patches come out in label order,
 * which is raster order of each patch's first pixel: deterministic.
 */
export function extractPatches(
  cleaned: Uint8Array,
  score: Float32Array,
  classes: Uint8Array,
  lattice: Lattice,
  window: LatticeWindow,
  minAreaM2: number,
): Patch[] {
  const { width, height } = window;
  const labels = new Int32Array(width * height);
  const scratch = new Int32Array(labelScratchLength(width, height));
  const n = labelComponents(cleaned, width, height, labels, scratch);
  if (n === 0) return [];
  const stats = componentStats(labels, n, width, height, score, classes, MASK_LAYERS.length);
  const patches: Patch[] = [];
  for (let label = 1; label <= n; label++) {
    const count = stats.pixelCount[label]!;
    const centreRow = window.row + stats.sumY[label]! / count;
    const areaPerPixel = pixelAreaM2(lattice, centreRow);
    const areaM2 = count * areaPerPixel;
    if (areaM2 < minAreaM2) continue;
    const rings = traceOutline(labels, width, height, label, stats.minX[label]!, stats.minY[label]!, stats.maxX[label]!, stats.maxY[label]!);
    const outline = rings.map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? window.col : window.row)));
    const coordinates = outline.map((ring) => toLonLat(lattice, ring));
    const overlap = {} as Record<MaskLayerName, MaskOverlap>;
    MASK_LAYERS.forEach((layer, bit) => {
      const pixels = stats.classCount[label * MASK_LAYERS.length + bit]!;
      const m2 = pixels * areaPerPixel;
      overlap[layer] = { pixels, areaM2: round(m2, AREA_DECIMALS), areaMu: round(squareMetresToMu(m2), MU_DECIMALS) };
    });
    const centroid = toLonLat(lattice, [window.col + stats.sumX[label]! / count, centreRow])[0]!;
    patches.push({
      label,
      pixelCount: count,
      areaM2: round(areaM2, AREA_DECIMALS),
      areaMu: round(squareMetresToMu(areaM2), MU_DECIMALS),
      meanScore: round(stats.sumScore[label]! / count, SCORE_DECIMALS),
      pixelBbox: [window.col + stats.minX[label]!, window.row + stats.minY[label]!, window.col + stats.maxX[label]! + 1, window.row + stats.maxY[label]! + 1],
      outline,
      bbox: bboxOf(coordinates[0]!),
      centroid: [centroid[0]!, centroid[1]!],
      geometry: { type: 'Polygon', coordinates },
      overlap,
    });
  }
  return patches;
}

/** Lattice pixel corners (flat [c,r,…]) → WGS84 [[lon,lat],…], rounded. */
function toLonLat(lattice: Lattice, flat: readonly number[]): number[][] {
  const xy = new Float64Array(flat.length);
  for (let i = 0; i < flat.length; i += 2) {
    xy[i] = lattice.phaseX + flat[i]! * lattice.pixelWidth;
    xy[i + 1] = lattice.phaseY - flat[i + 1]! * lattice.pixelHeight;
  }
  if (lattice.epsg !== 4326) transformCoords(lattice.epsg, 4326, xy);
  const out: number[][] = [];
  for (let i = 0; i < xy.length; i += 2) out.push([round(xy[i]!, COORD_DECIMALS), round(xy[i + 1]!, COORD_DECIMALS)]);
  return out;
}

function bboxOf(ring: number[][]): [number, number, number, number] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const [x, y] of ring) {
    if (x! < w) w = x!;
    if (x! > e) e = x!;
    if (y! < s) s = y!;
    if (y! > n) n = y!;
  }
  return [w, s, e, n];
}
