import { describe, expect, it } from 'vitest';
import type { DetectTileJob } from '../schemas/jobs.js';
import { defaultParameters } from '../detection/parameters.js';
import { AlertTilesJob, DetectTilesJob } from '../schemas/jobs.js';
import { planTileRuns } from './tile-runs.js';
import { batchFlow } from './batch-flow.js';

const T = 512;

/**
 * The tiles of one scene pair on a lattice of T-pixel cells: `across` × `down` cells, the first row and
 * column cut by the scene's edge (the scene starts 100 pixels into its first cell), as ingest plans them.
 */
function pairTiles(sceneId: string, across: number, down: number, stats: DetectTileJob['pairStats']): DetectTileJob[] {
  const tiles: DetectTileJob[] = [];
  for (let ty = 0; ty < down; ty++) {
    for (let tx = 0; tx < across; tx++) {
      const [col, row] = [tx === 0 ? 100 : tx * T, ty === 0 ? 100 : ty * T];
      tiles.push({
        batchId: 'b1',
        tileKey: `${sceneId}/g/${tx}_${ty}`,
        sceneId,
        baselineSceneId: `${sceneId}-before`,
        gridId: 'g',
        tileId: `${tx}_${ty}`,
        window: { col, row, width: (tx + 1) * T - col, height: (ty + 1) * T - row },
        pairStats: stats,
        parameters: defaultParameters(),
        masks: [],
      });
    }
  }
  return tiles;
}

/** A shuffle fixed by its seed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const cell = (tile: DetectTileJob) => tile.tileId.split('_').map(Number) as [number, number];
const STATS: DetectTileJob['pairStats'] = {
  bands: 1,
  evidenceBands: [0],
  beforeMean: [10],
  beforeStd: [2],
  afterMean: [11],
  afterStd: [2],
  transform: { method: 'isfa', whiten: [1], iterations: 3, converged: true, samples: 100 },
  cvaMedian: 0.5,
  madMedian: 0.5,
  structure: null,
  threshold: 2,
  validPixels: 100,
};

describe('planTileRuns', () => {
  it('cuts a pair into rectangles of at most 8 × 8 neighbouring tiles, each tile in one run, in raster order', () => {
    const tiles = pairTiles('s', 20, 11, STATS);
    const runs = planTileRuns(shuffled(tiles, 7));
    expect(runs.map((run) => run.length)).toEqual([64, 64, 32, 24, 24, 12]);
    expect(runs.flat().map((t) => t.tileKey).sort()).toEqual(tiles.map((t) => t.tileKey).sort());
    for (const [k, run] of runs.entries()) {
      const [runCol, runRow] = [k % 3, Math.floor(k / 3)];
      for (const tile of run) {
        const [tx, ty] = cell(tile);
        expect([Math.floor(tx / 8), Math.floor(ty / 8)]).toEqual([runCol, runRow]);
      }
      // raster order within the run: row by row, west to east
      const order = run.map((t) => cell(t)[1] * 1000 + cell(t)[0]);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('never mixes scene pairs, which come in the order they first appear', () => {
    const a = pairTiles('a', 3, 2, STATS);
    const b = pairTiles('b', 10, 1, STATS);
    const runs = planTileRuns([b[4]!, ...shuffled([...a, ...b.filter((_, i) => i !== 4)], 3)]);
    expect(runs.map((run) => [run[0]!.sceneId, run.length])).toEqual([['b', 8], ['b', 2], ['a', 6]]);
    for (const run of runs) expect(new Set(run.map((t) => t.sceneId)).size).toBe(1);
  });

  it('with side 1 gives one run per tile, in raster order', () => {
    const tiles = pairTiles('s', 4, 3, STATS);
    expect(planTileRuns(shuffled(tiles, 11), 1).map((run) => run.map((t) => t.tileKey))).toEqual(tiles.map((t) => [t.tileKey]));
  });

  it('refuses a side that is not a positive integer', () => {
    for (const side of [0, -1, 1.5, Number.NaN]) expect(() => planTileRuns([], side)).toThrow(RangeError);
    expect(planTileRuns([])).toEqual([]);
  });
});

describe('batchFlow', () => {
  it('gives each run one alert-tiles job waiting for the detect-tiles job of the same tiles, with ids unique per run', () => {
    const tiles = pairTiles('s', 9, 10, STATS);
    const flow = batchFlow('b1', 'ingest.u1', tiles, 'p');
    const runs = planTileRuns(tiles);
    expect(flow).toMatchObject({ name: 'finalize-batch', queueName: 'alert', data: { batchId: 'b1' }, opts: { jobId: 'finalize.ingest.u1' } });
    expect(flow.children).toHaveLength(4);
    for (const [k, child] of flow.children!.entries()) {
      const keys = runs[k]!.map((t) => t.tileKey);
      expect(child).toMatchObject({ name: 'alert-tiles', queueName: 'alert', data: { batchId: 'b1', tileKeys: keys }, opts: { jobId: `alert.ingest.u1.${keys[0]}` } });
      expect(child.children).toHaveLength(1);
      const detect = child.children![0]!;
      expect(detect).toMatchObject({ name: 'detect-tiles', queueName: 'detect', opts: { jobId: `detect.ingest.u1.${keys[0]}`, ignoreDependencyOnFailure: true } });
      expect((detect.data as { tiles: DetectTileJob[] }).tiles.map((t) => t.tileKey)).toEqual(keys);
    }
    // with runs of one tile, a job per tile as before runs
    expect(batchFlow('b1', 'ingest.u1', tiles, 'p', 1).children).toHaveLength(90);
  });

  it('refuses tiles a job could not carry before anything is queued', () => {
    const bad = pairTiles('s', 2, 2, STATS).map((t, i) => (i === 3 ? { ...t, window: { ...t.window, width: 0 } } : t));
    expect(() => batchFlow('b1', 'r', bad, 'p')).toThrow(/width/);
  });
});

describe('DetectTilesJob', () => {
  it('refuses a run with a tile of another batch, naming the tile', () => {
    const [tile] = pairTiles('s', 1, 1, STATS);
    expect(DetectTilesJob.safeParse({ batchId: 'b1', tiles: [tile] }).success).toBe(true);
    const result = DetectTilesJob.safeParse({ batchId: 'b2', tiles: [tile] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path)).toEqual([['tiles', 0, 'batchId']]);
    expect(DetectTilesJob.safeParse({ batchId: 'b1', tiles: [] }).success).toBe(false);
    expect(AlertTilesJob.safeParse({ batchId: 'b', tileKeys: [] }).success).toBe(false);
  });
});
