/**
 * What enforcement receives, scored. change.tif is the per-pixel decision; the 图斑 are made from it after
 * the opening, the minimum mapping unit and the typing (seasonal patches are not reported), and a county
 * team visits patches, not pixels. Here the reported patches are rasterised from their traced outlines
 * (exact pixel outlines, holes kept) onto the pair's grid and scored against the truth like change.tif,
 * and each patch is counted as a hit when at least HIT_SHARE of its labelled pixels are truth change
 * (a patch worth the field trip: loose outlines around small buildings keep it a hit); each truth object
 * (a building, a site) as found when at least HIT_SHARE of it lies in reported patches. Pure: no I/O.
 */
import { burnOutline } from '../../shared/src/detection/burn-outline.js';
import { labelComponents, labelScratchLength } from '../../shared/src/kernels/label-components.js';
import { confusionOf, metricsOf, type Confusion, type Metrics } from './metrics.js';

/** Share of a patch's labelled pixels that must be truth change for the patch to count as a hit, and share
 *  of a truth object's pixels that must lie in reported patches for the object to count as found. */
export const HIT_SHARE = 0.25;
/** Truth objects (8-connected components of truth change) smaller than this are label slivers, not counted. */
export const OBJECT_MIN_PX = 50;

/** What is scored of a patch: its bounding box and exact outline, both on lattice pixel corners. */
export interface ScoredPatch {
  pixelBbox: readonly [number, number, number, number];
  outline: readonly (readonly number[])[];
  /** the patch's change type (counted per type when given) */
  changeType?: string;
}

export interface PatchScore {
  /** patch pixels against truth, on labelled pixels */
  counts: Confusion;
  metrics: Metrics;
  patches: number;
  /** patches with labelled pixels (the others lie where the truth says nothing) */
  judged: number;
  /** patches of which at least HIT_SHARE of the labelled pixels are truth change */
  hits: number;
  /** patches with labelled pixels and hits, by change type (type order of first appearance) */
  byType: Record<string, { judged: number; hits: number }>;
  /** truth objects of at least OBJECT_MIN_PX pixels */
  objects: number;
  /** of those, the ones with at least HIT_SHARE of their pixels in reported patches */
  found: number;
}

/**
 * Scores `patches` (outlines on the lattice; `origin` = lattice position of the raster's pixel (0, 0))
 * against `truth` (width × height; 1 change, 0 no change, `ignore` not labelled).
 */
export function scorePatches(patches: readonly ScoredPatch[], origin: { col: number; row: number }, truth: Float32Array, width: number, height: number, ignore: number): PatchScore {
  if (truth.length !== width * height) throw new RangeError(`truth has ${truth.length} values, expected ${width}×${height}`);
  const mask = new Uint8Array(width * height);
  let hits = 0;
  let judged = 0;
  const byType: PatchScore['byType'] = {};
  for (const patch of patches) {
    const [c0, r0, c1, r1] = patch.pixelBbox;
    const w = c1 - c0;
    const h = r1 - r0;
    const own = new Uint8Array(w * h);
    burnOutline(patch.outline, { col: c0, row: r0, width: w, height: h }, 1, own);
    let labelled = 0;
    let change = 0;
    for (let y = 0; y < h; y++) {
      const row = r0 - origin.row + y;
      if (row < 0 || row >= height) continue;
      for (let x = 0; x < w; x++) {
        const col = c0 - origin.col + x;
        if (own[y * w + x] !== 1 || col < 0 || col >= width) continue;
        const i = row * width + col;
        mask[i] = 1;
        const t = truth[i]!;
        if (t === ignore) continue;
        labelled++;
        if (t === 1) change++;
      }
    }
    if (labelled === 0) continue;
    const hit = change >= HIT_SHARE * labelled;
    judged++;
    if (hit) hits++;
    if (patch.changeType !== undefined) {
      const t = (byType[patch.changeType] ??= { judged: 0, hits: 0 });
      t.judged++;
      if (hit) t.hits++;
    }
  }
  const c = confusionOf(mask, truth, { predictedNodata: -1, ignore });
  const counts: Confusion = { tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn };
  return { counts, metrics: metricsOf(counts), patches: patches.length, judged, hits, byType, ...objectsFound(mask, truth, width, height) };
}

/** Truth objects of at least OBJECT_MIN_PX pixels, and how many of them the patches (`mask`) found. */
function objectsFound(mask: Uint8Array, truth: Float32Array, width: number, height: number): { objects: number; found: number } {
  const change = new Uint8Array(width * height);
  for (let i = 0; i < change.length; i++) change[i] = truth[i] === 1 ? 1 : 0;
  const labels = new Int32Array(width * height);
  const n = labelComponents(change, width, height, labels, new Int32Array(labelScratchLength(width, height)));
  const size = new Int32Array(n + 1);
  const covered = new Int32Array(n + 1);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    size[l]!++;
    if (mask[i] === 1) covered[l]!++;
  }
  let objects = 0;
  let found = 0;
  for (let l = 1; l <= n; l++) {
    if (size[l]! < OBJECT_MIN_PX) continue;
    objects++;
    if (covered[l]! >= HIT_SHARE * size[l]!) found++;
  }
  return { objects, found };
}
