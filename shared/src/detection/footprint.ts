import { dilate3x3 } from '../kernels/morphology.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { HALO_PX } from './classify-change.js';

/**
 * A patch's footprint is the patch grown by this many pixels (8-connected, i.e. every pixel within
 * this Chebyshev distance of a patch pixel). Why grown: a patch is made of valid pixels only, so its
 * own pixels are always cloud-free; what tells an inspector how much of the place was hidden is the
 * ring around it, where a cloud, its shadow or the scene edge may cover the rest of the change. At most
 * HALO_PX, so every tile knows the validity of its patches' whole footprint.
 */
export const FOOTPRINT_RING_PX = 3;
if (FOOTPRINT_RING_PX > HALO_PX) throw new Error('FOOTPRINT_RING_PX must not exceed HALO_PX');

/** Pixels of a footprint, how many were clear (valid in both epochs), and (edge patches) where the others are. */
export interface Footprint {
  pixels: number;
  clear: number;
  /** Global lattice [col, row, …] of the footprint pixels that are not clear; kept for patches cut by
   *  tile edges, so the joined patch counts each hidden pixel once. */
  hidden?: number[];
}

/** The pixels where `inside` holds (width×height) grown by FOOTPRINT_RING_PX, padded by that many pixels on each side. */
function grow(width: number, height: number, inside: (x: number, y: number) => boolean): { grown: Uint8Array; w: number; h: number } {
  const r = FOOTPRINT_RING_PX;
  const w = width + 2 * r;
  const h = height + 2 * r;
  let a = new Uint8Array(w * h);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(x, y)) a[(y + r) * w + x + r] = 1;
  let b = new Uint8Array(w * h);
  for (let k = 0; k < r; k++) {
    dilate3x3(a, w, h, b);
    [a, b] = [b, a];
  }
  return { grown: a, w, h };
}

/**
 * Footprint of patch `label` of a window's label raster, with validity over `halo` (the window read
 * with its halo; pixels outside it are outside the pair's overlap and count as not clear).
 * bbox: [minX, minY, maxX, maxY] of the patch in window coordinates.
 */
export function patchFootprint(
  labels: Int32Array,
  window: LatticeWindow,
  label: number,
  bbox: readonly [number, number, number, number],
  haloValid: Uint8Array,
  halo: LatticeWindow,
  keepHidden: boolean,
): Footprint {
  const [minX, minY, maxX, maxY] = bbox;
  const bw = maxX - minX + 1;
  const bh = maxY - minY + 1;
  const { grown, w, h } = grow(bw, bh, (x, y) => labels[(minY + y) * window.width + minX + x] === label);
  const r = FOOTPRINT_RING_PX;
  const hidden: number[] = [];
  let pixels = 0;
  let clear = 0;
  for (let ly = 0; ly < h; ly++) {
    const row = window.row + minY - r + ly;
    const hy = row - halo.row;
    for (let lx = 0; lx < w; lx++) {
      if (grown[ly * w + lx] === 0) continue;
      pixels++;
      const col = window.col + minX - r + lx;
      const hx = col - halo.col;
      if (hx >= 0 && hy >= 0 && hx < halo.width && hy < halo.height && haloValid[hy * halo.width + hx] === 1) clear++;
      else if (keepHidden) hidden.push(col, row);
    }
  }
  return keepHidden ? { pixels, clear, hidden } : { pixels, clear };
}

/**
 * Footprint of a patch joined from tile parts: the union `mask` (width×height, the joined bbox) grown,
 * and the hidden pixels the parts saw (each part knows the validity of its own grown pixels, and the
 * union's footprint is the union of theirs).
 */
export function joinedFootprint(mask: Uint8Array, width: number, height: number, parts: readonly Footprint[]): Footprint {
  const { grown } = grow(width, height, (x, y) => mask[y * width + x] === 1);
  let pixels = 0;
  for (let i = 0; i < grown.length; i++) pixels += grown[i]!;
  const seen = new Set<string>();
  const hidden: number[] = [];
  for (const part of parts) {
    const list = part.hidden ?? [];
    for (let k = 0; k < list.length; k += 2) {
      const key = `${list[k]},${list[k + 1]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      hidden.push(list[k]!, list[k + 1]!);
    }
  }
  return { pixels, clear: pixels - seen.size, hidden };
}

/** Share of a footprint that was clear, rounded to 4 decimals (integers in, so identical across tilings). */
export function cloudFreeFraction(footprint: Footprint): number {
  return footprint.pixels > 0 ? Math.round((footprint.clear / footprint.pixels) * 1e4) / 1e4 : 1;
}
