import { sha256Hex } from '../util/sha256.js';

/**
 * 图斑编号: county code + batch + a hash of the tile and the patch outline on the lattice. The outline is
 * integer lattice coordinates, so the same patch in the same tile always gets the same number, on any
 * machine and in any mode; a different shape or place gets a different one.
 */
export function tubanId(regionCode: string, batchId: string, gridId: string, tileId: string, outline: readonly (readonly number[])[]): string {
  const digest = sha256Hex(`${gridId}|${tileId}|${outline.map((ring) => ring.join(',')).join(';')}`);
  return `${regionCode}-${batchId}-${digest.slice(0, 12)}`;
}
