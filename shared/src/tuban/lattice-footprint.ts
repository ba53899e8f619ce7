/**
 * Footprints of 图斑 on the analysis lattice. Every observation of an area lies on the area's lattice and
 * carries its exact outline in lattice pixel corners, so footprints are compared and joined as pixel sets:
 * no polygon clipping, no tolerance, and a single observation's pixels come back exactly.
 */
import { burnOutline } from '../detection/burn-outline.js';
import type { LatticeWindow } from '../grid/lattice.js';

/** An outline on the lattice: rings of pixel corners (exterior first, holes after), flat [c0,r0,c1,r1,…]. */
export interface LatticeShape {
  outline: number[][];
  /** [colMin, rowMin, colMax+1, rowMax+1] */
  pixelBbox: [number, number, number, number];
}

/** The smallest window holding every shape's pixel bbox, grown by `margin` pixels on each side. */
export function windowAround(shapes: readonly LatticeShape[], margin = 0): LatticeWindow {
  let c0 = Infinity, r0 = Infinity, c1 = -Infinity, r1 = -Infinity;
  for (const { pixelBbox: b } of shapes) {
    c0 = Math.min(c0, b[0]);
    r0 = Math.min(r0, b[1]);
    c1 = Math.max(c1, b[2]);
    r1 = Math.max(r1, b[3]);
  }
  return { col: c0 - margin, row: r0 - margin, width: c1 - c0 + 2 * margin, height: r1 - r0 + 2 * margin };
}

/** ORs `value` into `out` (window.width × window.height) on the pixels inside the shape (burnOutline). */
export function burnShape(shape: LatticeShape, window: LatticeWindow, value: number, out: Uint8Array): void {
  burnOutline(shape.outline, window, value, out);
}

/** Pixels set in `a` that are set in `b` or 8-adjacent to a pixel set in `b` (same window). */
export function touchingPixels(a: Uint8Array, b: Uint8Array, width: number, height: number): number {
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!a[y * width + x]) continue;
      let hit = false;
      for (let dy = -1; dy <= 1 && !hit; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < width && b[yy * width + xx]) {
            hit = true;
            break;
          }
        }
      }
      if (hit) n++;
    }
  }
  return n;
}

export function countSet(bitmap: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bitmap.length; i++) if (bitmap[i]) n++;
  return n;
}

/** Pixels set in both bitmaps. */
export function countBoth(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] && b[i]) n++;
  return n;
}

/** Whether two pixel bboxes come within one pixel of each other (8-adjacency is possible). */
export function bboxesNear(a: LatticeShape['pixelBbox'], b: LatticeShape['pixelBbox']): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}
