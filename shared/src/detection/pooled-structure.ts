import type { LatticeWindow } from '../grid/lattice.js';
import { pooledSize } from '../kernels/mean-pool.js';
import { blockScores, pooledIntensities, spreadBlocks, type PooledIntensities, type StructureModel, type StructureSpec } from './structural-change.js';
import type { WindowSamples } from './classify-change.js';

/** Scratch arrays by name (classify-change.ts Workspace). */
interface Scratch {
  floats(name: string, n: number): Float32Array;
  bytes(name: string, n: number): Uint8Array;
}

/** One row of tiles' blocks, the area's width of them. */
interface Strip {
  /** first block row (lattice block coordinates) and block rows held */
  top: number;
  rows: number;
  before: Float32Array;
  after: Float32Array;
  valid: Uint8Array;
}

/**
 * The block intensities of a structurally scored pair whose imagery is averaged over blocks (pool > 1: drone
 * orthophotos), kept by rows of tiles so that each image pixel is z-scored and averaged once.
 *
 * Why: a block's structural score looks up to `long` blocks away (151 blocks of 0.2 m: 30 m), so scoring
 * each tile from its own halo window made every image pixel be read, z-scored and averaged for 10–40 tiles
 * around it (at 5 cm a 512-pixel tile's window is 1,870 pixels across; at 2.5 cm 3,222). Here each tile's
 * blocks are computed once from the tile alone (fed in raster order, rows ahead of the tiles scored), and a
 * tile is scored from the blocks around it, which are whole blocks wherever the halo window's were: the
 * same values (the building index reads only blocks within `long`, and a halo window's partial blocks lie
 * farther out), so the same bytes as structuralScore on the halo window (pooled-structure.test.ts).
 * Needs tiles whose edges inside the area fall on block edges (the tile size a multiple of the pool).
 */
export class PooledStructure {
  private readonly strips: Strip[] = [];
  private readonly pool: number;
  /** block columns of the area: from `left` (lattice block coordinate), `across` of them */
  private readonly left: number;
  private readonly across: number;
  private readonly top: number;
  private readonly bottom: number;

  constructor(
    private readonly model: StructureModel,
    /** the pair's overlap (windows are clipped to it, and so are its blocks) */
    private readonly area: LatticeWindow,
  ) {
    this.pool = model.structure.pool;
    this.left = Math.floor(area.col / this.pool);
    this.across = Math.floor((area.col + area.width - 1) / this.pool) - this.left + 1;
    this.top = Math.floor(area.row / this.pool);
    this.bottom = Math.floor((area.row + area.height - 1) / this.pool) + 1;
  }

  /** Whether tiles of `tileSize` (anchored on the lattice) can feed the blocks whole. */
  static fits(structure: StructureSpec | null, tileSize: number): structure is StructureSpec {
    return structure !== null && structure.pool > 1 && tileSize % structure.pool === 0;
  }

  /**
   * Adds the blocks of one tile (its planar evidence of both epochs and the validity of both over it). Tiles
   * come in raster order, every tile of a row of tiles (the area's width) before the next row.
   */
  addTile(tile: LatticeWindow, before: WindowSamples, after: WindowSamples, valid: Uint8Array, scratch: Scratch): void {
    const top = Math.floor(tile.row / this.pool);
    let strip = this.strips[this.strips.length - 1];
    if (strip === undefined || strip.top !== top) {
      if (strip && strip.top + strip.rows !== top) throw new Error(`pooled structure: tiles at block row ${top} do not follow block row ${strip.top + strip.rows - 1}`);
      const rows = Math.floor((tile.row + tile.height - 1) / this.pool) - top + 1;
      strip = { top, rows, before: new Float32Array(rows * this.across), after: new Float32Array(rows * this.across), valid: new Uint8Array(rows * this.across) };
      this.strips.push(strip);
    }
    const blocks = pooledIntensities(before, after, tile.width, tile.height, this.model, valid, tile, scratch);
    const dx = Math.floor(tile.col / this.pool) - this.left;
    for (let y = 0; y < blocks.height; y++) {
      const to = y * this.across + dx;
      const from = y * blocks.width;
      strip.before.set(blocks.before.subarray(from, from + blocks.width), to);
      strip.after.set(blocks.after.subarray(from, from + blocks.width), to);
      strip.valid.set(blocks.valid.subarray(from, from + blocks.width), to);
    }
  }

  /**
   * Image rows [top, bottom) of the area whose blocks scoring `window` reads: its own blocks and `long` + 1
   * more on each side (the building index's reach, and the 3×3 mean), clipped to the area.
   */
  static neededRows(structure: StructureSpec, area: LatticeWindow, window: LatticeWindow): { top: number; bottom: number } {
    const { pool } = structure;
    const reach = structure.long + 1;
    const top = Math.max(area.row, (Math.floor(window.row / pool) - reach) * pool);
    const bottom = Math.min(area.row + area.height, (Math.floor((window.row + window.height - 1) / pool) + 1 + reach) * pool);
    return { top, bottom };
  }

  /** Block rows a window's score reads beyond its own. */
  private get reach(): number {
    return this.model.structure.long + 1;
  }

  /** Forgets the blocks above image row `row` (no window scored from now on needs them). */
  dropAbove(row: number): void {
    const needed = Math.floor(row / this.pool);
    while (this.strips.length > 0 && this.strips[0]!.top + this.strips[0]!.rows <= needed) this.strips.shift();
  }

  /**
   * The structural score of `window` (inside the area) into `out` (its size): each valid pixel takes its
   * block's score, as structuralScore gives it on a window read with the structural halo.
   */
  score(window: LatticeWindow, valid: Uint8Array, scratch: Scratch, out: Float32Array): void {
    const { pool } = this;
    const wx0 = Math.floor(window.col / pool);
    const wy0 = Math.floor(window.row / pool);
    const wx1 = Math.floor((window.col + window.width - 1) / pool) + 1;
    const wy1 = Math.floor((window.row + window.height - 1) / pool) + 1;
    const x0 = Math.max(this.left, wx0 - this.reach);
    const x1 = Math.min(this.left + this.across, wx1 + this.reach);
    const y0 = Math.max(this.top, wy0 - this.reach);
    const y1 = Math.min(this.bottom, wy1 + this.reach);
    const width = x1 - x0;
    const height = y1 - y0;
    const n = width * height;
    const blocks: Omit<PooledIntensities, 'offsetX' | 'offsetY'> = {
      width,
      height,
      before: scratch.floats('pooledWindowBefore', n),
      after: scratch.floats('pooledWindowAfter', n),
      valid: scratch.bytes('pooledWindowValid', n),
    };
    for (let y = y0; y < y1; y++) {
      const strip = this.stripOf(y);
      const from = (y - strip.top) * this.across + (x0 - this.left);
      const to = (y - y0) * width;
      blocks.before.set(strip.before.subarray(from, from + width), to);
      blocks.after.set(strip.after.subarray(from, from + width), to);
      blocks.valid.set(strip.valid.subarray(from, from + width), to);
    }
    const blockScore = scratch.floats('pooledWindowScore', n);
    blockScores(blocks, this.model.structure, scratch, blockScore);
    // The window's own blocks, then spread to its pixels.
    const ww = wx1 - wx0;
    const wh = wy1 - wy0;
    const own = scratch.floats('pooledWindowOwn', ww * wh);
    for (let y = 0; y < wh; y++) {
      const from = (y + wy0 - y0) * width + (wx0 - x0);
      own.set(blockScore.subarray(from, from + ww), y * ww);
    }
    const offsetX = window.col - wx0 * pool;
    const offsetY = window.row - wy0 * pool;
    if (ww !== pooledSize(window.width, offsetX, pool) || wh !== pooledSize(window.height, offsetY, pool)) throw new Error('pooled structure: block geometry mismatch');
    spreadBlocks(own, ww, pool, offsetX, offsetY, valid, window.width, window.height, out);
  }

  private stripOf(blockRow: number): Strip {
    for (const s of this.strips) if (blockRow >= s.top && blockRow < s.top + s.rows) return s;
    throw new Error(`pooled structure: block row ${blockRow} was not added (or was dropped)`);
  }
}
