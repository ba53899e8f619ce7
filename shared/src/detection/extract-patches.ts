import { labelComponentsWithStats, labelScratchLength } from '../kernels/label-components.js';
import { simplifyOutline } from '../kernels/simplify-outline.js';
import { traceOutline } from '../kernels/trace-outline.js';
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import { transformCoords } from '../geo/crs.js';
import { round, squareMetresToMu } from '../util/round.js';
import { MASK_LAYERS, type MaskLayerName } from './parameters.js';
import { pixelAreaM2 } from './pixel-area.js';
import { INDEX_CHANNELS, indexMeans, labelIndexSums, type IndexChannel, type IndexPlan } from './change-evidence.js';
import { changeTypeOf, type ChangeType, type IndexMeans } from './change-type.js';
import type { Workspace } from './classify-change.js';
import { cloudFreeFraction, patchFootprint, type Footprint } from './footprint.js';

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
  /** Mean of the window's score over the patch's pixels (spectral or structural, as the pair is scored). */
  meanScore: number;
  /** What the change is, from the mean index transitions (change-type.ts); `seasonal` is never reported. */
  changeType: ChangeType;
  /** Mean value of each index the bands allow, before and after. */
  indices: IndexMeans;
  /** Share of the footprint (the patch grown by FOOTPRINT_RING_PX) that is clear in both epochs. */
  cloudFreeFraction: number;
  footprint: Footprint;
  /** Global lattice pixel bbox [colMin, rowMin, colMax+1, rowMax+1]. */
  pixelBbox: [number, number, number, number];
  /** Exact outline rings on global lattice pixel corners (exterior first, then holes), flat [c0,r0,c1,r1,…]:
   *  what merging, evidence rasters and the 图斑 id are computed from. */
  outline: number[][];
  /** WGS84 lon/lat bbox of the geometry [west, south, east, north]. */
  bbox: [number, number, number, number];
  /** WGS84 lon/lat of the pixel centroid. */
  centroid: [number, number];
  /** The outline simplified (simplifyOutline: within SIMPLIFY_TOLERANCE_PX of the pixels, area within
   *  SIMPLIFY_MAX_AREA_CHANGE of the pixel area, rings simple, holes inside), in WGS84. */
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  /** Area in each mask layer, non-overlapping: farmland counts only outside the red line. */
  overlap: Record<MaskLayerName, MaskOverlap>;
  /** Area outside both layers: with `overlap`, a split of the whole patch. */
  elsewhere: MaskOverlap;
  /** True when the patch reaches the edge of its tile window: it may continue in the next tile and is
   *  completed (merged, then checked against the minimum area) at the batch level. */
  touchesEdge: boolean;
  /** Exact sums over the patch's pixels, for merging: pixel-centre columns and rows on the lattice, score,
   *  and the quantised indices (integers, [before, after] per INDEX_CHANNELS entry; 0 when unavailable). */
  sums: { col: number; row: number; score: number; index: number[] };
}

/** What typing and the cloud-free fraction need of a window besides the change mask. */
export interface PatchEvidence {
  /** The window read with its halo, and validity (both epochs) over it. */
  halo: LatticeWindow;
  haloValid: Uint8Array;
  /** Planar windows over the halo (float32 with unusable pixels NaN, or 8/16-bit samples with none). */
  before: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
  after: Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;
  plan: IndexPlan;
}

/** Patch labels along the four sides of a tile window, as runs [start, length, patchNumber, …] where
 *  start is the offset along the side and patchNumber the 1-based index into the tile's patches. */
export interface EdgeRuns {
  top: number[];
  bottom: number[];
  left: number[];
  right: number[];
}

export interface TilePatches {
  window: LatticeWindow;
  patches: Patch[];
  edges: EdgeRuns;
}

const COORD_DECIMALS = 7; // ≈ 1 cm in latitude
const AREA_DECIMALS = 2;
const MU_DECIMALS = 4;
const SCORE_DECIMALS = 4;
/** Alert geometries: pixel staircases straightened, never more than 1 px from the detected pixels… */
export const SIMPLIFY_TOLERANCE_PX = 1;
/** …and the polygon's area within 1 % of the pixel area (issue 3). */
export const SIMPLIFY_MAX_AREA_CHANGE = 0.01;

/**
 * Labels the cleaned change mask (8-connected) and describes its patches. Patches inside the window
 * below the minimum area are dropped; patches that reach the window's edge are kept whatever their
 * size (they may continue in the next tile) and marked `touchesEdge`, with the runs of their pixels
 * along each side, so the batch can join them (mergeTilePatches). `classes` holds the mask layers as
 * bits (MASK_LAYERS order). Patches come out in label order (raster order of first pixel).
 * Overlaps are non-overlapping: a pixel in the red line counts there only, not also as farmland.
 */
export function extractPatches(
  cleaned: Uint8Array,
  score: Float32Array,
  classes: Uint8Array,
  lattice: Lattice,
  window: LatticeWindow,
  minAreaM2: number,
  evidence?: PatchEvidence,
  into?: Workspace,
): TilePatches {
  const { width, height } = window;
  const edges: EdgeRuns = { top: [], bottom: [], left: [], right: [] };
  const pixels = width * height;
  // the label raster and scratch are used up before this returns: a caller's workspace may hold them
  const labels = into ? into.ints('labels', pixels) : new Int32Array(pixels);
  const scratch = into ? into.ints('labelScratch', labelScratchLength(width, height)) : new Int32Array(labelScratchLength(width, height));
  const exclusive = exclusiveLayers(classes, into ? into.bytes('exclusiveClasses', pixels) : new Uint8Array(pixels));
  const stats = labelComponentsWithStats(cleaned, width, height, score, exclusive, MASK_LAYERS.length, labels, scratch);
  const { n } = stats;
  if (n === 0) return { window, patches: [], edges };
  const patches: Patch[] = [];
  const numberOfLabel = new Int32Array(n + 1);
  // Without evidence (unit tests of the geometry), validity is known on the window only.
  const halo = evidence?.halo ?? window;
  const haloValid = evidence?.haloValid ?? new Uint8Array(width * height).fill(1);
  const channels = evidence?.plan.channels ?? [];
  let labelled = 0;
  let rowFrom = height;
  let rowTo = 0;
  let colFrom = width;
  let colTo = 0;
  for (let label = 1; label <= n; label++) {
    labelled += stats.pixelCount[label]!;
    rowFrom = Math.min(rowFrom, stats.minY[label]!);
    rowTo = Math.max(rowTo, stats.maxY[label]! + 1);
    colFrom = Math.min(colFrom, stats.minX[label]!);
    colTo = Math.max(colTo, stats.maxX[label]! + 1);
  }
  const indexSums = evidence
    ? labelIndexSums(evidence.plan, evidence.before, evidence.after, evidence.halo, window, labels, n, { pixels: labelled, rows: [rowFrom, rowTo], cols: [colFrom, colTo] }, into)
    : new Float64Array(0);
  for (let label = 1; label <= n; label++) {
    const count = stats.pixelCount[label]!;
    const [minX, minY, maxX, maxY] = [stats.minX[label]!, stats.minY[label]!, stats.maxX[label]!, stats.maxY[label]!];
    const touchesEdge = minX === 0 || minY === 0 || maxX === width - 1 || maxY === height - 1;
    const centreRow = window.row + stats.sumY[label]! / count;
    const centreCol = window.col + stats.sumX[label]! / count;
    if (!touchesEdge && count * pixelAreaM2(lattice, centreCol, centreRow) < minAreaM2) continue;
    const rings = traceOutline(labels, width, height, label, minX, minY, maxX, maxY);
    const classCounts = MASK_LAYERS.map((_, bit) => stats.classCount[label * MASK_LAYERS.length + bit]!);
    const index = new Array<number>(2 * INDEX_CHANNELS.length).fill(0);
    channels.forEach((channel, c) => {
      const k = INDEX_CHANNELS.indexOf(channel);
      index[2 * k] = indexSums[label * 2 * channels.length + 2 * c]!;
      index[2 * k + 1] = indexSums[label * 2 * channels.length + 2 * c + 1]!;
    });
    patches.push(
      describePatch(lattice, {
        label,
        pixelCount: count,
        sums: { col: window.col * count + stats.sumX[label]!, row: window.row * count + stats.sumY[label]!, score: stats.sumScore[label]!, index },
        channels,
        footprint: patchFootprint(labels, window, label, [minX, minY, maxX, maxY], haloValid, halo, touchesEdge),
        classCounts,
        pixelBbox: [window.col + minX, window.row + minY, window.col + maxX + 1, window.row + maxY + 1],
        outline: rings.map((ring) => ring.map((v, i) => v + (i % 2 === 0 ? window.col : window.row))),
        touchesEdge,
      }),
    );
    numberOfLabel[label] = patches.length;
  }
  const side = (out: number[], length: number, at: (k: number) => number) => {
    for (let k = 0; k < length; ) {
      const id = numberOfLabel[labels[at(k)]!]!;
      let end = k + 1;
      while (end < length && numberOfLabel[labels[at(end)]!] === id) end++;
      if (id > 0) out.push(k, end - k, id);
      k = end;
    }
  };
  side(edges.top, width, (k) => k);
  side(edges.bottom, width, (k) => (height - 1) * width + k);
  side(edges.left, height, (k) => k * width);
  side(edges.right, height, (k) => k * width + width - 1);
  return { window, patches, edges };
}

const FARMLAND_SHIFT = MASK_LAYERS.indexOf('farmland');
const REDLINE_SHIFT = MASK_LAYERS.indexOf('redline');
const FARMLAND_BIT = 1 << FARMLAND_SHIFT;
const REDLINE_BIT = 1 << REDLINE_SHIFT;

/**
 * The mask bits with farmland cleared where the red line also lies: the split enforcement reports is
 * red line, permanent basic farmland outside the red line, elsewhere (the red line is the stricter
 * regime, so a pixel in both belongs to it). Four pixels at a time where the arrays allow (every tile
 * goes through here, most of it without any mask bit).
 */
export function exclusiveLayers(classes: Uint8Array, out: Uint8Array): Uint8Array {
  const n = classes.length;
  let i = 0;
  if (classes.byteOffset % 4 === 0 && out.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const src = new Uint32Array(classes.buffer, classes.byteOffset, words);
    const dst = new Uint32Array(out.buffer, out.byteOffset, words);
    // each byte's red-line bit moved to its farmland bit's place, then cleared there
    for (let k = 0; k < words; k++) {
      const w = src[k]!;
      dst[k] = w & ~(((w >>> REDLINE_SHIFT) & 0x01010101) << FARMLAND_SHIFT);
    }
    i = words << 2;
  }
  for (; i < n; i++) {
    const c = classes[i]!;
    out[i] = c & REDLINE_BIT ? c & ~FARMLAND_BIT : c;
  }
  return out;
}

/** What a patch is made of, before it is put into map coordinates. */
export interface PatchParts {
  label: number;
  pixelCount: number;
  sums: { col: number; row: number; score: number; index: number[] };
  /** Indices available for this pair (INDEX_CHANNELS order). */
  channels: readonly IndexChannel[];
  footprint: Footprint;
  /** Pixels per mask layer, MASK_LAYERS order. */
  classCounts: number[];
  pixelBbox: [number, number, number, number];
  /** Outline rings on lattice pixel corners. */
  outline: number[][];
  touchesEdge: boolean;
}

/** Areas, centroid and WGS84 geometry (the simplified outline) of a patch from its parts. */
export function describePatch(lattice: Lattice, parts: PatchParts): Patch {
  const count = parts.pixelCount;
  const centreRow = parts.sums.row / count;
  const areaPerPixel = pixelAreaM2(lattice, parts.sums.col / count, centreRow);
  const areaM2 = count * areaPerPixel;
  const simplified = simplifyOutline(parts.outline, SIMPLIFY_TOLERANCE_PX, SIMPLIFY_MAX_AREA_CHANGE);
  const coordinates = simplified.map((ring) => toLonLat(lattice, ring));
  const overlap = {} as Record<MaskLayerName, MaskOverlap>;
  MASK_LAYERS.forEach((layer, bit) => {
    const pixels = parts.classCounts[bit]!;
    const m2 = pixels * areaPerPixel;
    overlap[layer] = { pixels, areaM2: round(m2, AREA_DECIMALS), areaMu: round(squareMetresToMu(m2), MU_DECIMALS) };
  });
  const elsewherePixels = count - MASK_LAYERS.reduce((n, _, bit) => n + parts.classCounts[bit]!, 0);
  const elsewhere = { pixels: elsewherePixels, areaM2: round(elsewherePixels * areaPerPixel, AREA_DECIMALS), areaMu: round(squareMetresToMu(elsewherePixels * areaPerPixel), MU_DECIMALS) };
  const centroid = toLonLat(lattice, [parts.sums.col / count, centreRow])[0]!;
  const indices = indexMeans(parts.channels, parts.channels.flatMap((c) => [parts.sums.index[2 * INDEX_CHANNELS.indexOf(c)]!, parts.sums.index[2 * INDEX_CHANNELS.indexOf(c) + 1]!]), count);
  return {
    label: parts.label,
    pixelCount: count,
    areaM2: round(areaM2, AREA_DECIMALS),
    areaMu: round(squareMetresToMu(areaM2), MU_DECIMALS),
    meanScore: round(parts.sums.score / count, SCORE_DECIMALS),
    changeType: parts.channels.length > 0 ? changeTypeOf(indices) : 'other',
    indices,
    cloudFreeFraction: cloudFreeFraction(parts.footprint),
    footprint: parts.footprint,
    pixelBbox: parts.pixelBbox,
    outline: parts.outline,
    bbox: bboxOf(coordinates[0]!),
    centroid: [centroid[0]!, centroid[1]!],
    geometry: { type: 'Polygon', coordinates },
    overlap,
    elsewhere,
    touchesEdge: parts.touchesEdge,
    sums: parts.sums,
  };
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
