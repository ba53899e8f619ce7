import type { DetectTileJob } from '../schemas/jobs.js';

/** Tiles on a side of a run: a run covers at most RUN_SIDE × RUN_SIDE tiles of one scene pair. */
export const RUN_SIDE = 8;

/**
 * Queue mode's unit of work: the batch's tiles cut into runs, each a rectangle of at most `side` × `side`
 * neighbouring tiles of one scene pair, its tiles in raster order. Runs come pair by pair (in the order
 * the pairs first appear in `tiles`), north to south and west to east within a pair.
 *
 * Why: a tile's window and its halo cut the file blocks of its neighbours. Detect and alert workers take
 * jobs from the queue one after the other, so with a job per tile, two workers take alternate tiles and
 * each decodes nearly every block of the scene (three workers: about three times the blocks). A worker
 * that takes a run decodes the run's blocks once, from its open scene's block cache, and shares with
 * the runs around it only the blocks along the run's edges: about (side + 1)² / side² of the blocks
 * in all, whatever the number of workers.
 *
 * A tile's row and column in its pair are the ranks of its window's row and column among the pair's
 * tiles (the lattice's cells, the outer ones cut by the scene's edge), so the plan needs nothing but
 * the tiles. Each tile is in exactly one run.
 */
export function planTileRuns(tiles: readonly DetectTileJob[], side = RUN_SIDE): DetectTileJob[][] {
  if (!(Number.isInteger(side) && side >= 1)) throw new RangeError(`planTileRuns: side must be a positive integer, got ${side}`);
  const pairs = new Map<string, DetectTileJob[]>();
  for (const tile of tiles) {
    const pair = `${tile.baselineSceneId}\n${tile.sceneId}`;
    const list = pairs.get(pair);
    if (list) list.push(tile);
    else pairs.set(pair, [tile]);
  }
  const runs: DetectTileJob[][] = [];
  for (const pairTiles of pairs.values()) {
    const rank = (values: number[]) => new Map([...new Set(values)].sort((a, b) => a - b).map((v, i) => [v, i]));
    const rows = rank(pairTiles.map((t) => t.window.row));
    const cols = rank(pairTiles.map((t) => t.window.col));
    const byRun = new Map<string, { runRow: number; runCol: number; tiles: DetectTileJob[] }>();
    for (const tile of pairTiles) {
      const [runRow, runCol] = [Math.floor(rows.get(tile.window.row)! / side), Math.floor(cols.get(tile.window.col)! / side)];
      const key = `${runRow},${runCol}`;
      const run = byRun.get(key);
      if (run) run.tiles.push(tile);
      else byRun.set(key, { runRow, runCol, tiles: [tile] });
    }
    const ordered = [...byRun.values()].sort((a, b) => a.runRow - b.runRow || a.runCol - b.runCol);
    for (const run of ordered) {
      run.tiles.sort((a, b) => a.window.row - b.window.row || a.window.col - b.window.col || (a.tileKey < b.tileKey ? -1 : a.tileKey > b.tileKey ? 1 : 0));
      runs.push(run.tiles);
    }
  }
  return runs;
}
