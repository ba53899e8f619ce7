import type { BandName } from '../schemas/manifest.js';

/**
 * Bands that measure the atmosphere or surface temperature rather than land cover: aerosol
 * (coastal), water vapour (nir09), cirrus, and thermal infrared. Their differences between dates are
 * weather, not land-use change, so they are left out of the change evidence.
 */
export const NON_EVIDENCE_BANDS: ReadonlySet<BandName> = new Set<BandName>(['coastal', 'nir09', 'cirrus', 'lwir', 'lwir11', 'lwir12']);

/** Indices of the bands used as change evidence; all bands when names are unknown. */
export function evidenceBands(bands: readonly (BandName | null)[], count: number): number[] {
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    const name = bands[i];
    if (name === null || name === undefined || !NON_EVIDENCE_BANDS.has(name)) chosen.push(i);
  }
  return chosen.length > 0 ? chosen : Array.from({ length: count }, (_, i) => i);
}

/** Copies the chosen bands of a planar window into a new planar array of the same type (same pixel order). */
export function pickBands<T extends Float32Array | Uint16Array | Int16Array | Uint8Array | Int8Array>(planar: T, pixels: number, indices: readonly number[]): T {
  const out = new (planar.constructor as new (n: number) => T)(pixels * indices.length);
  indices.forEach((band, k) => out.set(planar.subarray(band * pixels, (band + 1) * pixels), k * pixels));
  return out;
}
