import { accumulateHistogram } from '../kernels/histogram.js';
import type { LatticeWindow } from '../grid/lattice.js';
import { SCORE_HISTOGRAM } from '../detection/parameters.js';
import { haloOf, scoreWindow, type ScoreModel } from '../detection/classify-change.js';
import { HaloWindowCache } from './halo-window-cache.js';
import type { TileRows } from './tile-rows.js';

/** Where a score pass gets its tiles: one cache per epoch (over the overlap), and the tile rows. */
export interface ScorePassInput {
  before: HaloWindowCache;
  after: HaloWindowCache;
  rows: TileRows;
  /** The pair's overlap (halos are clipped to it). */
  overlap: LatticeWindow;
  /** The model over the picked (evidence) bands the caches return. */
  model: ScoreModel;
}

/** Receives each tile row's validity and scores as one whole-width strip (tile interiors, no halo); the
 *  arrays are reused for the next row. */
export type ScoreStripSink = (row: number, valid: Uint8Array, score: Float32Array) => void;

/**
 * Scores tile rows [from, to): each tile on its halo window (so its pixels score as in any other tiling),
 * cropped to the tile; accumulates the interior scores of valid pixels into `hist` (SCORE_HISTOGRAM bins:
 * integer counts, so the sum does not depend on how rows are split between threads) and hands each row's
 * strip to `sink`.
 */
export async function scoreTileRows(input: ScorePassInput, from: number, to: number, hist: Float64Array, sink?: ScoreStripSink): Promise<void> {
  const { min, max } = SCORE_HISTOGRAM;
  const stripWidth = input.rows[0]!.reduce((s, t) => s + t.width, 0);
  let stripValid = new Uint8Array(0);
  let stripScore = new Float32Array(0);
  for (let r = from; r < to; r++) {
    const tiles = input.rows[r]!;
    const height = tiles[0]!.height;
    const n = stripWidth * height;
    // one strip buffer for all rows (the sink has written it before the next row starts)
    if (stripValid.length !== n) {
      stripValid = new Uint8Array(n);
      stripScore = new Float32Array(n);
    }
    const nextTop = r + 1 < input.rows.length ? haloOf(input.rows[r + 1]![0]!, input.overlap).row : null;
    let x = 0;
    for (const tile of tiles) {
      const halo = haloOf(tile, input.overlap);
      const b = await input.before.window(halo, nextTop);
      const a = await input.after.window(halo, nextTop);
      const scored = scoreWindow(b, a, halo.width, halo.height, input.model);
      // the tile's interior, straight into the strip
      const dx = tile.col - halo.col;
      const dy = tile.row - halo.row;
      for (let y = 0; y < height; y++) {
        const at = (y + dy) * halo.width + dx;
        stripValid.set(scored.valid.subarray(at, at + tile.width), y * stripWidth + x);
        stripScore.set(scored.score.subarray(at, at + tile.width), y * stripWidth + x);
      }
      x += tile.width;
    }
    accumulateHistogram(stripScore, stripValid, n, min, max, hist);
    sink?.(tiles[0]!.row, stripValid, stripScore);
  }
}
