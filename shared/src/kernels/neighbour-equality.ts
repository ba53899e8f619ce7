/**
 * Counts of equal neighbouring samples by lattice phase: the evidence that a band was delivered
 * pixel-replicated from a coarser grid (Sentinel-2's 20 m bands on its 10 m grid, for example).
 *
 * A band upsampled 2× by replication has every pair of horizontal neighbours (x, x+1) with x on one
 * parity equal (same coarse pixel), and the pairs of the other parity equal only as often as native
 * data is; a native band, however flat or coarsely quantised, has the same rate on both parities.
 *
 * Layout: `planar` band-sequential Float32 of a window whose pixel (0, 0) is lattice (col0, row0);
 * `counts` Float64Array(bands × 8), per band [equal, pairs] for horizontal pairs starting at an even
 * lattice column, then at an odd one, then the same for vertical pairs by row parity; counts are added
 * to. A pair counts only when both samples are finite. Pure.
 * Edges: pairs inside the window only.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

export const EQUALITY_COUNTS_PER_BAND = 8;

export function accumulateNeighbourEquality(planar: Float32Array, width: number, height: number, bands: number, col0: number, row0: number, counts: Float64Array): void {
  requireDimensions(width, height);
  requireIntegerInRange('bands', bands, 1, 0xffff);
  const pixels = width * height;
  requireLength('planar', planar, bands * pixels);
  requireLength('counts', counts, bands * EQUALITY_COUNTS_PER_BAND);
  for (let b = 0; b < bands; b++) {
    const p = b * pixels;
    // [equal, pairs] × (even x, odd x, even y, odd y), as integers in locals
    let ex0 = 0, nx0 = 0, ex1 = 0, nx1 = 0, ey0 = 0, ny0 = 0, ey1 = 0, ny1 = 0;
    for (let y = 0; y < height; y++) {
      const row = p + y * width;
      const oddRow = ((row0 + y) & 1) === 1;
      for (let x = 0; x < width; x++) {
        const v = planar[row + x]!;
        if (v - v !== 0) continue;
        if (x + 1 < width) {
          const r = planar[row + x + 1]!;
          if (r - r === 0) {
            const eq = v === r ? 1 : 0;
            if (((col0 + x) & 1) === 0) {
              ex0 += eq;
              nx0++;
            } else {
              ex1 += eq;
              nx1++;
            }
          }
        }
        if (y + 1 < height) {
          const d = planar[row + width + x]!;
          if (d - d === 0) {
            const eq = v === d ? 1 : 0;
            if (oddRow) {
              ey1 += eq;
              ny1++;
            } else {
              ey0 += eq;
              ny0++;
            }
          }
        }
      }
    }
    const o = b * EQUALITY_COUNTS_PER_BAND;
    counts[o] = counts[o]! + ex0;
    counts[o + 1] = counts[o + 1]! + nx0;
    counts[o + 2] = counts[o + 2]! + ex1;
    counts[o + 3] = counts[o + 3]! + nx1;
    counts[o + 4] = counts[o + 4]! + ey0;
    counts[o + 5] = counts[o + 5]! + ny0;
    counts[o + 6] = counts[o + 6]! + ey1;
    counts[o + 7] = counts[o + 7]! + ny1;
  }
}
