import { describe, expect, it } from 'vitest';
import { extractPatches, type TilePatches } from './extract-patches.js';
import { mergeTilePatches } from './merge-patches.js';
import { placeRaster, type LatticeWindow } from '../grid/lattice.js';
import { ringArea } from '../kernels/trace-outline.js';
import { pixelAreaM2 } from './pixel-area.js';

/** Ground area of one pixel near the middle of the test scene. */
const PIXEL_M2 = () => pixelAreaM2(lattice, 20, 20);

// A 30 m UTM lattice (500 km west of the central meridian: a pixel is ~895 m² on the ground).
const lattice = placeRaster(32651, [0, 30, 0, 3_000_000, 0, -30], 40, 40, 20).lattice;

/** Draws a mask on a 40×40 scene from rows of '#'/'.'. */
function scene(rows: string[]): Uint8Array {
  const mask = new Uint8Array(40 * 40);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (mask[y * 40 + x] = ch === '#' ? 1 : 0)));
  return mask;
}

function cut(mask: Uint8Array, window: LatticeWindow, minAreaM2: number): TilePatches {
  const sub = new Uint8Array(window.width * window.height);
  for (let y = 0; y < window.height; y++) for (let x = 0; x < window.width; x++) sub[y * window.width + x] = mask[(window.row + y) * 40 + window.col + x]!;
  const score = new Float32Array(sub.length).fill(1);
  const classes = new Uint8Array(sub.length);
  for (let i = 0; i < sub.length; i++) if (sub[i] && i % 3 === 0) classes[i] = 1; // some farmland pixels
  return extractPatches(sub, score, classes, lattice, window, minAreaM2);
}

const quadrants: LatticeWindow[] = [
  { col: 0, row: 0, width: 20, height: 20 },
  { col: 20, row: 0, width: 20, height: 20 },
  { col: 0, row: 20, width: 20, height: 20 },
  { col: 20, row: 20, width: 20, height: 20 },
];

function blank(): string[] {
  return Array.from({ length: 40 }, () => '.'.repeat(40));
}
function paint(rows: string[], x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y < y1; y++) rows[y] = rows[y]!.slice(0, x0) + '#'.repeat(x1 - x0) + rows[y]!.slice(x1);
}

describe('mergeTilePatches', () => {
  it('joins a patch that spans four tiles into one, with the area and outline of the whole', () => {
    const rows = blank();
    paint(rows, 15, 14, 27, 25); // 12 × 11 block across the centre
    paint(rows, 18, 18, 22, 22); // (already inside)
    const mask = scene(rows);
    const whole = cut(mask, { col: 0, row: 0, width: 40, height: 40 }, 400);
    expect(whole.patches).toHaveLength(1);
    const tiles = quadrants.map((w) => cut(mask, w, 400));
    expect(tiles.every((t) => t.patches.length === 1 && t.patches[0]!.touchesEdge)).toBe(true);
    const merged = mergeTilePatches(lattice, tiles, 400);
    expect(merged).toHaveLength(1);
    const [m] = merged;
    expect(m!.members).toHaveLength(4);
    expect(m!.patch.pixelCount).toBe(132);
    const p = m!.patch;
    expect(p.areaM2).toBeCloseTo(132 * pixelAreaM2(lattice, p.sums.col / p.pixelCount, p.sums.row / p.pixelCount), 2);
    expect(p.areaM2).toBeLessThan(132 * 900); // true ground area, not grid units
    expect(m!.patch.outline).toEqual(whole.patches[0]!.outline);
    expect(m!.patch.pixelBbox).toEqual([15, 14, 27, 25]);
    expect(m!.patch.overlap.farmland.pixels).toBe(tiles.reduce((s, t) => s + t.patches[0]!.overlap.farmland.pixels, 0));
    expect(m!.patch.centroid).toEqual(whole.patches[0]!.centroid);
  });

  it('joins pixels that touch only diagonally across a tile corner (8-connectivity)', () => {
    const rows = blank();
    paint(rows, 17, 17, 20, 20); // in the top-left tile, corner pixel (19,19)
    paint(rows, 20, 20, 23, 23); // in the bottom-right tile, corner pixel (20,20)
    const merged = mergeTilePatches(lattice, quadrants.map((w) => cut(scene(rows), w, 0)), 0);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.patch.pixelCount).toBe(18);
    expect(ringArea(merged[0]!.patch.outline[0]!)).toBe(18);
  });

  it('keeps patches that do not touch apart, and applies the minimum area after joining', () => {
    const rows = blank();
    paint(rows, 18, 5, 22, 6); // 4 px across the vertical tile edge: 2 + 2 px halves
    paint(rows, 0, 30, 3, 31); // 3 px on the scene edge, no neighbour tile
    const minArea = 4 * PIXEL_M2() - 1;
    const tiles = quadrants.map((w) => cut(scene(rows), w, minArea));
    // Every edge-touching part is kept by the tile whatever its size…
    expect(tiles.flatMap((t) => t.patches).map((p) => p.pixelCount).sort()).toEqual([2, 2, 3]);
    // …and the minimum area (4 px here) is applied to the joined patches.
    const merged = mergeTilePatches(lattice, tiles, minArea);
    expect(merged.map((m) => m.patch.pixelCount)).toEqual([4]);
  });

  it('joins a U shape whose arms meet only in the next tile, keeping its hole', () => {
    const rows = blank();
    paint(rows, 12, 10, 14, 30); // left arm, crosses the horizontal edge
    paint(rows, 16, 10, 18, 30); // right arm
    paint(rows, 12, 28, 18, 30); // bottom, in the lower tile
    paint(rows, 12, 10, 18, 12); // top, closes a hole
    const mask = scene(rows);
    const whole = cut(mask, { col: 0, row: 0, width: 40, height: 40 }, 0);
    const merged = mergeTilePatches(lattice, quadrants.map((w) => cut(mask, w, 0)), 0);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.patch.outline).toEqual(whole.patches[0]!.outline);
    expect(merged[0]!.patch.outline).toHaveLength(2); // exterior + the hole
  });
});

describe('area split', () => {
  it('is non-overlapping: red line first, farmland outside it, elsewhere; the three add up to the patch', () => {
    const window = { col: 0, row: 0, width: 10, height: 10 };
    const mask = new Uint8Array(100);
    const classes = new Uint8Array(100);
    for (let y = 2; y < 8; y++) {
      for (let x = 2; x < 8; x++) {
        mask[y * 10 + x] = 1;
        // columns 2–3: farmland and red line; 4–5: farmland only; 6–7: neither
        classes[y * 10 + x] = x < 4 ? 0b11 : x < 6 ? 0b01 : 0;
      }
    }
    const [patch] = extractPatches(mask, new Float32Array(100).fill(1), classes, lattice, window, 0).patches;
    expect(patch!.pixelCount).toBe(36);
    expect(patch!.overlap.redline.pixels).toBe(12);
    expect(patch!.overlap.farmland.pixels).toBe(12);
    expect(patch!.elsewhere.pixels).toBe(12);
    const sum = patch!.overlap.redline.areaM2 + patch!.overlap.farmland.areaM2 + patch!.elsewhere.areaM2;
    expect(Math.abs(sum - patch!.areaM2)).toBeLessThanOrEqual(0.02);
  });
});
