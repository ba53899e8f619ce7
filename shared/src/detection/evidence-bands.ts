import type { BandName } from '../schemas/manifest.js';

/**
 * Bands that measure the atmosphere or surface temperature rather than land cover: aerosol
 * (coastal), water vapour (nir09), cirrus, and thermal infrared. Their differences between dates are
 * weather, not land-use change, so they are left out of the change evidence.
 */
export const NON_EVIDENCE_BANDS: ReadonlySet<BandName> = new Set<BandName>(['coastal', 'nir09', 'cirrus', 'lwir', 'lwir11', 'lwir12']);

/**
 * Most evidence planes a pair is scored on. More evidence bands than this (a hyperspectral cube) are
 * averaged in contiguous groups down to this many (evidenceGroups). It is the most the change pass's SIMD
 * kernels take (MAX_SIMD_BANDS), and more than any multispectral sensor delivers for the land (Sentinel-2:
 * 13 bands, 10 of them at the surface).
 */
export const MAX_EVIDENCE_PLANES = 16;

/** Indices of the bands used as change evidence; all bands when names are unknown. */
export function evidenceBands(bands: readonly (BandName | null)[], count: number): number[] {
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    const name = bands[i];
    if (name === null || name === undefined || !NON_EVIDENCE_BANDS.has(name)) chosen.push(i);
  }
  return chosen.length > 0 ? chosen : Array.from({ length: count }, (_, i) => i);
}

/**
 * How `count` evidence bands are grouped into evidence planes: null when each band is a plane of its own
 * (count ≤ MAX_EVIDENCE_PLANES), else the sizes of MAX_EVIDENCE_PLANES contiguous groups, in band order,
 * as equal as whole bands allow (group g holds bands ⌊g·count/G⌋ … ⌊(g+1)·count/G⌋ − 1).
 * Why: a hyperspectral cube's neighbouring bands sample the same spectral feature and differ mostly by
 * noise. Scored band by band, the whitened chi score sums that noise over every band, and a real change
 * along a few spectral directions no longer stands out (a 40-band cube interpolated from Sentinel-2's
 * bands, with noise: F1 0.001 band by band, 0.51 on 16 group means; docs/detection.md). The mean of a group
 * keeps the spectrum's shape at a multispectral sensor's resolution, with the noise of each band divided
 * by √(group size).
 */
export function evidenceGroups(count: number): number[] | null {
  if (count <= MAX_EVIDENCE_PLANES) return null;
  const sizes: number[] = [];
  for (let g = 0; g < MAX_EVIDENCE_PLANES; g++) {
    sizes.push(Math.floor(((g + 1) * count) / MAX_EVIDENCE_PLANES) - Math.floor((g * count) / MAX_EVIDENCE_PLANES));
  }
  return sizes;
}

/** The evidence plane that holds file band `band` and the file bands it averages, or null: not evidence. */
export function evidencePlaneOf(band: number, bands: readonly number[], groups: readonly number[] | null): { plane: number; members: number[] } | null {
  const at = bands.indexOf(band);
  if (at < 0) return null;
  if (groups === null) return { plane: at, members: [band] };
  let first = 0;
  for (let g = 0; g < groups.length; g++) {
    if (at < first + groups[g]!) return { plane: g, members: bands.slice(first, first + groups[g]!) };
    first += groups[g]!;
  }
  return null;
}

/** Copies the chosen bands of a planar window into a new planar array of the same type (same pixel order). */
export function pickBands<T extends Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array>(planar: T, pixels: number, indices: readonly number[]): T {
  const out = new (planar.constructor as new (n: number) => T)(pixels * indices.length);
  indices.forEach((band, k) => out.set(planar.subarray(band * pixels, (band + 1) * pixels), k * pixels));
  return out;
}

/**
 * The file planes behind planes `some` of a view of `planes` (view plane j is file plane planes[j]): `read`,
 * ascending, and `order`, where each of `some` lies among them.
 */
export function filePlanes(planes: readonly number[], some: readonly number[]): { read: number[]; order: number[] } {
  const wanted = some.map((j) => {
    const p = planes[j];
    if (p === undefined) throw new Error(`plane ${j} is not one of the view's ${planes.length} planes`);
    return p;
  });
  const read = [...new Set(wanted)].sort((a, b) => a - b);
  return { read, order: wanted.map((p) => read.indexOf(p)) };
}

/**
 * The evidence planes of a planar window: with `groups` null, the `bands` picked (pickBands); else one
 * float32 plane per group, the mean of its bands (consecutive entries of `bands`, `groups` giving how many
 * each), NaN where any of them is non-finite or equals `nodata` (so the plane needs no nodata value of its
 * own: a mean could equal it by chance). Sums in float64, in band order, then rounded to float32.
 */
export function pickEvidence<T extends Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array>(
  planar: T,
  pixels: number,
  bands: readonly number[],
  groups: readonly number[] | null,
  nodata: number | null,
): T | Float32Array {
  if (groups === null) return pickBands(planar, pixels, bands);
  const out = new Float32Array(pixels * groups.length);
  const sum = new Float64Array(pixels);
  // compared as float32, as the change pass compares (valid-mask.ts); NaN equals nothing
  const nd = nodata === null ? Number.NaN : Math.fround(nodata);
  let first = 0;
  for (let g = 0; g < groups.length; g++) {
    const size = groups[g]!;
    sum.fill(0);
    for (let k = first; k < first + size; k++) accumulatePlane(planar, bands[k]! * pixels, pixels, nd, sum);
    const plane = out.subarray(g * pixels, (g + 1) * pixels);
    for (let i = 0; i < pixels; i++) plane[i] = sum[i]! / size;
    first += size;
  }
  return out;
}

/**
 * A window's evidence planes and the nodata value to test them with: the window itself when it holds just
 * the evidence bands, one plane each; else pickEvidence's planes, whose group means (NaN where unusable)
 * are tested with no nodata value.
 */
export function evidenceWindow<T extends Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array>(
  planar: T,
  pixels: number,
  fileBands: number,
  bands: readonly number[],
  groups: readonly number[] | null,
  nodata: number | null,
): { planes: T | Float32Array; nodata: number | null } {
  if (groups === null) return { planes: bands.length === fileBands ? planar : pickBands(planar, pixels, bands), nodata };
  return { planes: pickEvidence(planar, pixels, bands, groups, nodata), nodata: null };
}

/** Adds one band plane (from `offset`) into `sum`; an unusable sample makes its pixel's sum NaN for good. */
function accumulatePlane(planar: ArrayLike<number>, offset: number, pixels: number, nodata: number, sum: Float64Array): void {
  for (let i = 0; i < pixels; i++) {
    const v = planar[offset + i]!;
    sum[i] += v === nodata || v - v !== 0 ? Number.NaN : v; // v − v is NaN for NaN and ±∞
  }
}
