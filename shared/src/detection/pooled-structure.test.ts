import { describe, expect, it } from 'vitest';
import type { LatticeWindow } from '../grid/lattice.js';
import { mulberry32 } from '../kernels/test-random.js';
import { PooledStructure } from './pooled-structure.js';
import { structuralScore, structureReach, type StructureModel } from './structural-change.js';
import { Workspace } from './classify-change.js';
import { thresholdScores } from '../kernels/fuse-scores.js';

/** `src` (planar, `bands` planes over `from`) cut to `to` (inside it). */
function cut<T extends Float32Array | Uint8Array>(src: T, from: LatticeWindow, to: LatticeWindow, bands: number): T {
  const out = new (src.constructor as new (n: number) => T)(to.width * to.height * bands);
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < to.height; y++) {
      const at = b * from.width * from.height + (to.row - from.row + y) * from.width + (to.col - from.col);
      out.set(src.subarray(at, at + to.width), b * to.width * to.height + y * to.width);
    }
  }
  return out;
}

const grow = (w: LatticeWindow, px: number, limit: LatticeWindow): LatticeWindow => {
  const col = Math.max(w.col - px, limit.col);
  const row = Math.max(w.row - px, limit.row);
  return { col, row, width: Math.min(w.col + w.width + px, limit.col + limit.width) - col, height: Math.min(w.row + w.height + px, limit.row + limit.height) - row };
};

describe('PooledStructure', () => {
  // An area whose corner is not on a block edge (and lies left of the lattice origin), tiles of 48 pixels
  // on the lattice, blocks of 4: edge blocks are partial, as on a pair's overlap.
  const pool = 4;
  const model: StructureModel = {
    structure: { short: 3, long: 7, pool },
    bands: 2,
    beforeMean: Float64Array.of(10, 20),
    beforeStd: Float64Array.of(3, 5),
    afterMean: Float64Array.of(11, 19),
    afterStd: Float64Array.of(4, 6),
  };
  const area = { col: -37, row: 13, width: 181, height: 150 };
  const TILE = 48;
  const n = area.width * area.height;
  const random = mulberry32(7);
  const image = () => {
    const planes = new Float32Array(2 * n);
    // blocky structures on noise, so the building index has roofs to find
    for (let i = 0; i < planes.length; i++) planes[i] = 10 + 5 * random();
    for (let k = 0; k < 40; k++) {
      const [x0, y0, s] = [Math.floor(random() * area.width), Math.floor(random() * area.height), 4 + Math.floor(random() * 20)];
      for (let y = y0; y < Math.min(area.height, y0 + s); y++) for (let x = x0; x < Math.min(area.width, x0 + s); x++) planes[y * area.width + x] = planes[n + y * area.width + x] = 40;
    }
    return planes;
  };
  const before = image();
  const after = image();
  const valid = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) if (random() < 0.05) valid[i] = 0;
  for (let y = 60; y < 90; y++) for (let x = 0; x < 50; x++) valid[y * area.width + x] = 0; // a cloud

  const tiles: LatticeWindow[] = [];
  for (let row = Math.floor(area.row / TILE) * TILE; row < area.row + area.height; row += TILE) {
    for (let col = Math.floor(area.col / TILE) * TILE; col < area.col + area.width; col += TILE) {
      const t = grow({ col, row, width: TILE, height: TILE }, 0, area);
      if (t.width > 0 && t.height > 0) tiles.push(t);
    }
  }

  it('scores each window as structuralScore does on the window read with the whole structural halo', () => {
    expect(PooledStructure.fits(model.structure, TILE)).toBe(true);
    const blocks = new PooledStructure(model, area, TILE);
    const work = new Workspace();
    for (const t of tiles) blocks.addTile(t, cut(before, area, t, 2), cut(after, area, t, 2), cut(valid, area, t, 1), work);
    const reference = new Workspace();
    let scored = 0;
    let decided = 0;
    // a threshold inside the scores' range (checked below: some pixels above it, most of the scored ones below)
    const threshold = 0.5;
    for (const t of tiles) {
      // the clean-up's halo of a few pixels, and the halo that also holds every block the score reads
      const small = grow(t, 5, area);
      const big = grow(small, structureReach(model.structure), area);
      const wide = new Float32Array(big.width * big.height);
      structuralScore(cut(before, area, big, 2), cut(after, area, big, 2), big.width, big.height, model, cut(valid, area, big, 1), wide, reference, big);
      const got = new Float32Array(small.width * small.height);
      blocks.score(small, cut(valid, area, small, 1), work, got);
      expect(Array.from(got), `tile at ${t.col}, ${t.row}`).toEqual(Array.from(cut(wide, big, small, 1)));
      scored += got.filter((v) => v > 0).length;
      // with a decision, the same scores and the decision thresholdScores makes of them
      const smallValid = cut(valid, area, small, 1);
      const again = new Float32Array(got.length);
      const decision = { threshold, out: new Uint8Array(got.length).fill(9) };
      blocks.score(small, smallValid, work, again, decision);
      expect(Array.from(again)).toEqual(Array.from(got));
      const want = new Uint8Array(got.length);
      thresholdScores(smallValid, got, got.length, threshold, want);
      expect(Array.from(decision.out), `decision of the tile at ${t.col}, ${t.row}`).toEqual(Array.from(want));
      decided += want.filter((v) => v === 1).length;
    }
    expect(scored).toBeGreaterThan(1000); // new structures were found: the comparison is not of zeros
    expect(decided).toBeGreaterThan(100);
    expect(decided).toBeLessThan(scored);
  });

  it('names the tiles a window reads, refuses a window whose tiles were not added, and forgets tiles', () => {
    const blocks = new PooledStructure(model, area, TILE);
    const work = new Workspace();
    const firstRow = tiles.filter((t) => t.row === tiles[0]!.row);
    for (const t of firstRow) blocks.addTile(t, cut(before, area, t, 2), cut(after, area, t, 2), cut(valid, area, t, 1), work);
    const window = grow(firstRow[0]!, 5, area);
    // the window is columns −37…4 and rows 13…52; blocks up to long + 1 = 8 blocks (32 pixels) beyond its
    // own reach columns up to 40 and rows up to 88: the first two rows of tiles, the first two columns
    expect(window).toEqual({ col: -37, row: 13, width: 42, height: 40 });
    expect(blocks.tilesFor(window)).toEqual(tiles.filter((t) => t.col < 40 && t.row < 88));
    expect(blocks.tilesFor(window)).toHaveLength(4);
    expect(PooledStructure.neededRows(model.structure, area, window)).toEqual({ top: 13, bottom: 88 });
    const score = () => blocks.score(window, cut(valid, area, window, 1), work, new Float32Array(window.width * window.height));
    expect(score).toThrow(/tile at -37, 48 were not added/);
    for (const t of tiles.filter((t) => t.row === 48)) blocks.addTile(t, cut(before, area, t, 2), cut(after, area, t, 2), cut(valid, area, t, 1), work);
    expect(score).not.toThrow();
    expect(blocks.size).toBe(2 * firstRow.length);
    // blocks: 46 columns (−37…143); the first row of tiles 9 block rows (13…47), the second 12 (48…95)
    // (the first row's last tile, columns 96…143, holds 12 × 9 of them)
    blocks.keepBlocks(12 * 46 + 12 * 9);
    expect(blocks.size).toBe(firstRow.length + 1); // the tiles added first went first
    expect(blocks.has(firstRow[firstRow.length - 1]!)).toBe(true);
    blocks.keepBlocks(12 * 46);
    expect(blocks.size).toBe(firstRow.length);
    expect(blocks.has(firstRow[0]!)).toBe(false);
    expect(score).toThrow(/were not added/);
    blocks.dropAbove(area.row + area.height);
    expect(blocks.size).toBe(0);
  });
});
