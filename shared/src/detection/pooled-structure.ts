import type { LatticeWindow } from '../grid/lattice.js';
import type { ScoreDecision } from '../kernels/fuse-scores.js';
import { pooledSize } from '../kernels/mean-pool.js';
import { blockScores, pooledIntensities, spreadBlocks, type PooledIntensities, type StructureModel, type StructureSpec } from './structural-change.js';
import type { WindowSamples } from './classify-change.js';

/** Scratch arrays by name (classify-change.ts Workspace). */
interface Scratch {
  floats(name: string, n: number): Float32Array;
  bytes(name: string, n: number): Uint8Array;
}

/** One tile's blocks (held by a PooledStructure, or by a caller that must not lose them to its eviction). */
export interface TileBlocks {
  /** first block (lattice block coordinates) and blocks across and down */
  bx: number;
  by: number;
  width: number;
  height: number;
  before: Float32Array;
  after: Float32Array;
  valid: Uint8Array;
}

/**
 * The block intensities of a structurally scored pair whose imagery is averaged over blocks (pool > 1: drone
 * orthophotos), kept by lattice tile so that each image pixel is z-scored and averaged once.
 *
 * Why: a block's structural score looks up to `long` blocks away (151 blocks of 0.2 m: 30 m), so scoring
 * each tile from its own halo window made every image pixel be read, z-scored and averaged for 13–40 tiles
 * around it (at 5 cm a 512-pixel tile's window is 1,870 pixels across; at 2.5 cm 3,222). Here each tile's
 * blocks are computed once from the tile alone, and a window is scored from the blocks around it, which
 * are whole blocks wherever the halo window's were: the same values (the building index reads only blocks
 * within `long`, and a halo window's cut blocks lie farther out), so the same bytes as structuralScore on
 * the halo window (pooled-structure.test.ts). Needs tiles whose edges inside the area fall on block edges
 * (the tile size a multiple of the pool).
 */
export class PooledStructure {
  private readonly tiles = new Map<string, TileBlocks>();
  private readonly pool: number;
  /** the area's blocks: columns [left, right), rows [top, bottom) (lattice block coordinates) */
  private readonly left: number;
  private readonly right: number;
  private readonly top: number;
  private readonly bottom: number;

  constructor(
    private readonly model: StructureModel,
    /** the pair's overlap (windows are clipped to it, and so are its blocks) */
    private readonly area: LatticeWindow,
    /** the lattice's tile size: tiles are its cells within the area */
    private readonly tileSize: number,
  ) {
    this.pool = model.structure.pool;
    this.left = Math.floor(area.col / this.pool);
    this.right = Math.floor((area.col + area.width - 1) / this.pool) + 1;
    this.top = Math.floor(area.row / this.pool);
    this.bottom = Math.floor((area.row + area.height - 1) / this.pool) + 1;
  }

  /** Whether tiles of `tileSize` (anchored on the lattice) can feed the blocks whole. */
  static fits(structure: StructureSpec | null, tileSize: number): structure is StructureSpec {
    return structure !== null && structure.pool > 1 && tileSize % structure.pool === 0;
  }

  /** Blocks a window's score reads beyond its own: the building index's reach, and the 3×3 mean. */
  private static reachOf(structure: StructureSpec): number {
    return structure.long + 1;
  }

  /**
   * Image rows [top, bottom) of the area whose blocks scoring `window` reads: its own blocks and `long` + 1
   * more on each side, clipped to the area.
   */
  static neededRows(structure: StructureSpec, area: LatticeWindow, window: LatticeWindow): { top: number; bottom: number } {
    const { pool } = structure;
    const reach = PooledStructure.reachOf(structure);
    const top = Math.max(area.row, (Math.floor(window.row / pool) - reach) * pool);
    const bottom = Math.min(area.row + area.height, (Math.floor((window.row + window.height - 1) / pool) + 1 + reach) * pool);
    return { top, bottom };
  }

  /** The tiles (lattice cells within the area, in raster order) whose blocks scoring `window` reads. */
  tilesFor(window: LatticeWindow): LatticeWindow[] {
    const { x0, x1, y0, y1 } = this.blockRange(window);
    const { pool, tileSize, area } = this;
    const out: LatticeWindow[] = [];
    for (let ty = Math.floor((y0 * pool) / tileSize); ty * tileSize < y1 * pool; ty++) {
      for (let tx = Math.floor((x0 * pool) / tileSize); tx * tileSize < x1 * pool; tx++) {
        const col = Math.max(tx * tileSize, area.col);
        const row = Math.max(ty * tileSize, area.row);
        const width = Math.min((tx + 1) * tileSize, area.col + area.width) - col;
        const height = Math.min((ty + 1) * tileSize, area.row + area.height) - row;
        if (width > 0 && height > 0) out.push({ col, row, width, height });
      }
    }
    return out;
  }

  /** Whether the blocks of `tile` (a cell of tilesFor) are held. */
  has(tile: LatticeWindow): boolean {
    return this.tiles.has(this.keyOf(tile));
  }

  /** The blocks of `tile` (a cell of tilesFor), if held. */
  get(tile: LatticeWindow): TileBlocks | undefined {
    return this.tiles.get(this.keyOf(tile));
  }

  /** Tiles held. */
  get size(): number {
    return this.tiles.size;
  }

  /**
   * Adds the blocks of one tile (a lattice cell within the area), from its planar evidence of both epochs and
   * the validity of both over it.
   */
  addTile(tile: LatticeWindow, before: WindowSamples, after: WindowSamples, valid: Uint8Array, scratch: Scratch): TileBlocks {
    const blocks = pooledIntensities(before, after, tile.width, tile.height, this.model, valid, tile, scratch);
    const n = blocks.width * blocks.height;
    const held: TileBlocks = {
      bx: Math.floor(tile.col / this.pool),
      by: Math.floor(tile.row / this.pool),
      width: blocks.width,
      height: blocks.height,
      before: blocks.before.slice(0, n),
      after: blocks.after.slice(0, n),
      valid: blocks.valid.slice(0, n),
    };
    const key = this.keyOf(tile);
    const earlier = this.tiles.get(key); // added meanwhile by another job of the thread: the same blocks
    if (earlier) this.forget(key, earlier); // (and the tile goes to the end of the eviction order)
    this.tiles.set(key, held);
    this.blocks += n;
    return held;
  }

  /** Blocks held (of every tile). */
  private blocks = 0;

  /** Forgets the tiles ending above image row `row`. */
  dropAbove(row: number): void {
    const needed = Math.floor(row / this.pool);
    for (const [key, t] of this.tiles) if (t.by + t.height <= needed) this.forget(key, t);
  }

  /** Forgets the tiles added first until at most `blocks` blocks are held. */
  keepBlocks(blocks: number): void {
    for (const [key, t] of this.tiles) {
      if (this.blocks <= blocks) return;
      this.forget(key, t);
    }
  }

  private forget(key: string, t: TileBlocks): void {
    this.tiles.delete(key);
    this.blocks -= t.width * t.height;
  }

  /**
   * The structural score of `window` (inside the area) into `out` (its size): each valid pixel takes its
   * block's score, as structuralScore gives it on a window read with the structural halo.
   */
  score(window: LatticeWindow, valid: Uint8Array, scratch: Scratch, out: Float32Array, decision: ScoreDecision | null = null): void {
    const held = this.tilesFor(window).map((tile) => {
      const t = this.tiles.get(this.keyOf(tile));
      if (t === undefined) throw new Error(`pooled structure: the blocks of the tile at ${tile.col}, ${tile.row} were not added (or were dropped)`);
      return t;
    });
    this.scoreFrom(window, held, valid, scratch, out, decision);
  }

  /**
   * score() from the blocks of `held`, the tiles tilesFor(window) names (in any order). With `decision`, also the
   * per-pixel decision against its threshold (spreadBlocks).
   */
  scoreFrom(window: LatticeWindow, held: readonly TileBlocks[], valid: Uint8Array, scratch: Scratch, out: Float32Array, decision: ScoreDecision | null = null): void {
    const { pool } = this;
    const { x0, x1, y0, y1 } = this.blockRange(window);
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
    for (const t of held) {
      const cx0 = Math.max(x0, t.bx);
      const cx1 = Math.min(x1, t.bx + t.width);
      for (let y = Math.max(y0, t.by); y < Math.min(y1, t.by + t.height); y++) {
        const from = (y - t.by) * t.width + (cx0 - t.bx);
        const to = (y - y0) * width + (cx0 - x0);
        blocks.before.set(t.before.subarray(from, from + cx1 - cx0), to);
        blocks.after.set(t.after.subarray(from, from + cx1 - cx0), to);
        blocks.valid.set(t.valid.subarray(from, from + cx1 - cx0), to);
      }
    }
    const blockScore = scratch.floats('pooledWindowScore', n);
    blockScores(blocks, this.model.structure, scratch, blockScore);
    // The window's own blocks, then spread to its pixels.
    const wx0 = Math.floor(window.col / pool);
    const wy0 = Math.floor(window.row / pool);
    const ww = Math.floor((window.col + window.width - 1) / pool) + 1 - wx0;
    const wh = Math.floor((window.row + window.height - 1) / pool) + 1 - wy0;
    const own = scratch.floats('pooledWindowOwn', ww * wh);
    for (let y = 0; y < wh; y++) {
      const from = (y + wy0 - y0) * width + (wx0 - x0);
      own.set(blockScore.subarray(from, from + ww), y * ww);
    }
    const offsetX = window.col - wx0 * pool;
    const offsetY = window.row - wy0 * pool;
    if (ww !== pooledSize(window.width, offsetX, pool) || wh !== pooledSize(window.height, offsetY, pool)) throw new Error('pooled structure: block geometry mismatch');
    spreadBlocks(own, ww, pool, offsetX, offsetY, valid, window.width, window.height, out, decision);
  }

  /** The blocks a window's score reads: its own and the reach around them, clipped to the area's. */
  private blockRange(window: LatticeWindow): { x0: number; x1: number; y0: number; y1: number } {
    const { pool } = this;
    const reach = PooledStructure.reachOf(this.model.structure);
    return {
      x0: Math.max(this.left, Math.floor(window.col / pool) - reach),
      x1: Math.min(this.right, Math.floor((window.col + window.width - 1) / pool) + 1 + reach),
      y0: Math.max(this.top, Math.floor(window.row / pool) - reach),
      y1: Math.min(this.bottom, Math.floor((window.row + window.height - 1) / pool) + 1 + reach),
    };
  }

  private keyOf(tile: LatticeWindow): string {
    return `${Math.floor(tile.col / this.tileSize)},${Math.floor(tile.row / this.tileSize)}`;
  }
}
