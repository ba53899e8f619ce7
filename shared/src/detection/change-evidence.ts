import type { BandName } from '../schemas/manifest.js';
import { bareSoilIndex, chroma, excessGreen, normalizedDifference, zBrightness } from '../kernels/spectral-indices.js';
import { accumulateLabelSums } from '../kernels/label-sums.js';
import type { LatticeWindow } from '../grid/lattice.js';
import type { ScoreModel, Workspace } from './classify-change.js';
import { evidencePlaneOf, pickEvidence } from './evidence-bands.js';

/**
 * Per-pixel indices that describe what the ground is, in each epoch (docs/detection.md, "Typing").
 * Each is computed only when its bands exist; a patch carries the sums of both epochs' values.
 */
export const INDEX_CHANNELS = ['ndvi', 'ndbi', 'water', 'bsi', 'exg', 'redness', 'chroma', 'brightness'] as const;
export type IndexChannel = (typeof INDEX_CHANNELS)[number];

/** Indices are summed in units of 1/INDEX_QUANTUM (integers: sums merge exactly across tiles). */
export const INDEX_QUANTUM = 10_000;

/** How to compute each available index from a planar window of the file's bands. */
export interface IndexPlan {
  /** Channels computed, in INDEX_CHANNELS order. */
  channels: IndexChannel[];
  /** `water` is MNDWI (green, swir16) when there is a swir16 band, else NDWI (green, nir). */
  water: 'mndwi' | 'ndwi' | null;
  band: Partial<Record<'blue' | 'green' | 'red' | 'nir' | 'swir16', number>>;
  /**
   * Evidence planes of the visible bands, for the brightness index: the file bands each averages, one after
   * the other (`visible`), how many each (`visibleGroups`: absent when one each, the bands themselves), and
   * each plane's pair statistics per epoch.
   */
  visible: number[];
  visibleGroups?: number[];
  beforeMean: number[];
  beforeStd: number[];
  afterMean: number[];
  afterStd: number[];
}

/** Which indices a pair allows, from its band names and the pair statistics (for brightness). */
export function indexPlan(bands: readonly (BandName | null)[], model: Pick<ScoreModel, 'evidenceBands' | 'evidenceGroups' | 'beforeMean' | 'beforeStd' | 'afterMean' | 'afterStd'>): IndexPlan {
  const find = (...names: BandName[]) => {
    for (const name of names) if (bands.indexOf(name) >= 0) return bands.indexOf(name);
    return -1;
  };
  const pos = { blue: find('blue'), green: find('green'), red: find('red'), nir: find('nir', 'nir08'), swir16: find('swir16') };
  const band: IndexPlan['band'] = {};
  for (const [k, v] of Object.entries(pos)) if (v >= 0) band[k as keyof typeof pos] = v;
  const has = (...names: (keyof typeof pos)[]) => names.every((n) => pos[n] >= 0);
  const water = has('green', 'swir16') ? 'mndwi' : has('green', 'nir') ? 'ndwi' : null;
  const available: Record<IndexChannel, boolean> = {
    ndvi: has('nir', 'red'),
    ndbi: has('swir16', 'nir'),
    water: water !== null,
    bsi: has('swir16', 'red', 'nir', 'blue'),
    exg: has('red', 'green', 'blue'),
    redness: has('red', 'blue'),
    chroma: has('red', 'green', 'blue'),
    brightness: false,
  };
  // Brightness in pair standard deviations needs the visible bands' statistics (evidence bands only): of the
  // planes that hold them, which for a hyperspectral cube average each with its neighbours (step 2).
  const visible: number[] = [];
  const sizes: number[] = [];
  const planes: number[] = [];
  const stats = { beforeMean: [] as number[], beforeStd: [] as number[], afterMean: [] as number[], afterStd: [] as number[] };
  for (const b of [pos.blue, pos.green, pos.red]) {
    const found = b >= 0 ? evidencePlaneOf(b, model.evidenceBands, model.evidenceGroups) : null;
    if (found === null || planes.includes(found.plane)) continue;
    const k = found.plane;
    planes.push(k);
    visible.push(...found.members);
    sizes.push(found.members.length);
    stats.beforeMean.push(model.beforeMean[k]!);
    stats.beforeStd.push(model.beforeStd[k]!);
    stats.afterMean.push(model.afterMean[k]!);
    stats.afterStd.push(model.afterStd[k]!);
  }
  available.brightness = visible.length > 0;
  const grouped = sizes.some((n) => n > 1) ? { visibleGroups: sizes } : {};
  return { channels: INDEX_CHANNELS.filter((c) => available[c]), water, band, visible, ...grouped, ...stats };
}

/** One index of one epoch over a planar window of `pixels` pixels. */
function computeIndex(plan: IndexPlan, channel: IndexChannel, epoch: 'before' | 'after', planar: Float32Array, pixels: number, out: Float32Array): void {
  const { blue, green, red, nir, swir16 } = plan.band as Required<IndexPlan['band']>;
  switch (channel) {
    case 'ndvi': return normalizedDifference(planar, pixels, nir, red, out);
    case 'ndbi': return normalizedDifference(planar, pixels, swir16, nir, out);
    case 'water': return normalizedDifference(planar, pixels, green, plan.water === 'mndwi' ? swir16 : nir, out);
    case 'bsi': return bareSoilIndex(planar, pixels, swir16, red, nir, blue, out);
    case 'exg': return excessGreen(planar, pixels, red, green, blue, out);
    case 'redness': return normalizedDifference(planar, pixels, red, blue, out);
    case 'chroma': return chroma(planar, pixels, red, green, blue, out);
    case 'brightness': {
      // a cube's visible planes are means of bands (masked samples are NaN here, and stay NaN in a mean)
      const [samples, bands] = plan.visibleGroups
        ? [pickEvidence(planar, pixels, plan.visible, plan.visibleGroups, null), plan.visibleGroups.map((_, k) => k)]
        : [planar, plan.visible];
      return epoch === 'before'
        ? zBrightness(samples, pixels, bands, plan.beforeMean, plan.beforeStd, out)
        : zBrightness(samples, pixels, bands, plan.afterMean, plan.afterStd, out);
    }
  }
}

/**
 * Sums of each planned index over the pixels of each label, both epochs: Float64Array((n+1) × 2C),
 * row `label`, columns [before c0, after c0, before c1, after c1, …] in units of 1/INDEX_QUANTUM.
 * `before`/`after` are planar windows over `halo`; `labels` covers `window` (inside the halo).
 */
export function labelIndexSums(
  plan: IndexPlan,
  before: WindowPlanes,
  after: WindowPlanes,
  halo: LatticeWindow,
  window: LatticeWindow,
  labels: Int32Array,
  n: number,
  labelled?: { pixels: number; rows: [number, number]; cols?: [number, number] },
  work?: Workspace,
): Float64Array {
  const columns = 2 * plan.channels.length;
  const sums = new Float64Array((n + 1) * Math.max(1, columns));
  if (columns === 0 || n === 0) return sums;
  // Indices are per-pixel, so they are computed on the labelled pixels only, gathered into compact
  // planes: the cost follows the patches, not the window (most tiles hold a few patches).
  const haloPixels = halo.width * halo.height;
  const bands = before.length / haloPixels;
  // `labelled` (from the labelling's statistics) spares a count over the window and limits the scan to
  // the rows and columns holding labels
  let k = labelled?.pixels ?? 0;
  if (labelled === undefined) for (let i = 0; i < labels.length; i++) if (labels[i]! > 0) k++;
  const rows = labelled?.rows ?? [0, window.height];
  const cols = labelled?.cols ?? [0, window.width];
  const compactLabels = work ? work.ints('indexLabels', k) : new Int32Array(k);
  const at = work ? work.ints('indexPixels', k) : new Int32Array(k);
  const found = labelledPixels(labels, window.width, rows, cols, window.col - halo.col, window.row - halo.row, halo.width, compactLabels, at);
  if (found !== k) throw new RangeError(`labelIndexSums: ${found} labelled pixels found, ${k} expected`);
  const compactBefore = work ? work.floats('indexBefore', k * bands) : new Float32Array(k * bands);
  const compactAfter = work ? work.floats('indexAfter', k * bands) : new Float32Array(k * bands);
  gatherPlanes(before, haloPixels, bands, at, k, compactBefore);
  gatherPlanes(after, haloPixels, bands, at, k, compactAfter);
  const values = work ? work.floats('indexValues', k) : new Float32Array(k);
  for (let c = 0; c < plan.channels.length; c++) {
    computeIndex(plan, plan.channels[c]!, 'before', compactBefore, k, values);
    accumulateLabelSums(compactLabels, values, k, INDEX_QUANTUM, columns, 2 * c, sums);
    computeIndex(plan, plan.channels[c]!, 'after', compactAfter, k, values);
    accumulateLabelSums(compactLabels, values, k, INDEX_QUANTUM, columns, 2 * c + 1, sums);
  }
  return sums;
}

/** The planar windows labelIndexSums reads: float32, or the file's own 8/16-bit samples. */
type WindowPlanes = Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array;

/**
 * The labelled pixels of rows × cols of `labels` (a window `width` wide) in raster order: each one's label
 * into `compactLabels` and its index in the halo window (the window at dx, dy in a halo `haloWidth` wide)
 * into `at`; returns how many.
 */
function labelledPixels(labels: Int32Array, width: number, rows: [number, number], cols: [number, number], dx: number, dy: number, haloWidth: number, compactLabels: Int32Array, at: Int32Array): number {
  let j = 0;
  for (let y = rows[0]; y < rows[1]; y++) {
    const row = y * width;
    const haloRow = (y + dy) * haloWidth + dx;
    for (let x = cols[0]; x < cols[1]; x++) {
      const label = labels[row + x]!;
      if (label <= 0) continue;
      compactLabels[j] = label;
      at[j++] = haloRow + x;
    }
  }
  return j;
}

/** Band b of the pixels at `at` (indices into one plane of `planes`) into dst[b·k …], as float32. */
function gatherPlanes(planes: WindowPlanes, planePixels: number, bands: number, at: Int32Array, k: number, dst: Float32Array): void {
  for (let b = 0; b < bands; b++) {
    const from = b * planePixels;
    const to = b * k;
    for (let j = 0; j < k; j++) dst[to + j] = planes[from + at[j]!]!;
  }
}

/** Mean before/after value of each index of a patch, from its sums (rounded to 4 decimals). */
export function indexMeans(channels: readonly IndexChannel[], sums: readonly number[], pixelCount: number): Partial<Record<IndexChannel, { before: number; after: number }>> {
  const out: Partial<Record<IndexChannel, { before: number; after: number }>> = {};
  channels.forEach((channel, c) => {
    const mean = (k: number) => Math.round((sums[k]! / pixelCount / INDEX_QUANTUM) * 1e4) / 1e4;
    out[channel] = { before: mean(2 * c), after: mean(2 * c + 1) };
  });
  return out;
}
