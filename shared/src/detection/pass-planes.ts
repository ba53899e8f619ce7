import type { BandName } from '../schemas/manifest.js';

/**
 * Bands the detect pass finds by name besides the evidence bands: the typing indices (change-evidence.ts
 * indexPlan), the seasonal vegetation test (seasonal.ts) and the pair's cloud-shadow test (pair-shadows.ts)
 * read blue, green, red, nir (or nir08) and swir16, and nothing else by name.
 */
export const NAMED_PASS_BANDS: ReadonlySet<BandName> = new Set<BandName>(['blue', 'green', 'red', 'nir', 'nir08', 'swir16']);

/**
 * The planes of a pair's windows the detect pass reads once the statistics have chosen the evidence bands
 * (indices into `bands`, ascending): those bands and the NAMED_PASS_BANDS. Why: a Sentinel-2 stack on a 10 m
 * grid holds 13 bands, and once its 20 m and 60 m bands are found pixel-replicated the pass reads five or
 * six of them; the halo caches then hold only those (HaloWindowCache.keepPlanes), which is most of a
 * thread's memory on such a pair.
 */
export function passPlanes(bands: readonly (BandName | null)[], evidenceBands: readonly number[]): number[] {
  const keep = new Set(evidenceBands);
  bands.forEach((name, i) => {
    if (name !== null && NAMED_PASS_BANDS.has(name)) keep.add(i);
  });
  return [...keep].sort((a, b) => a - b);
}

/** `stats` for windows holding only `planes` (ascending indices that include every evidence band): the evidence bands renumbered. */
export function statsOnPlanes<S extends { evidenceBands: readonly number[] }>(stats: S, planes: readonly number[]): S {
  const evidenceBands = stats.evidenceBands.map((b) => {
    const at = planes.indexOf(b);
    if (at < 0) throw new Error(`evidence band ${b} is not among the planes read (${planes.join(', ')})`);
    return at;
  });
  return { ...stats, evidenceBands };
}
