import { describe, expect, it } from 'vitest';
import { sampleBlocks, STATS_BLOCK, STATS_SAMPLE_BLOCKS } from './sample-blocks.js';
import { blockRows } from './tile-rows.js';

describe('sampleBlocks', () => {
  it('takes every block of a small pair (statistics of every pixel)', () => {
    const area = { col: -37, row: 1000, width: 4 * STATS_BLOCK - 5, height: 4 * STATS_BLOCK };
    expect(sampleBlocks(area)).toEqual(blockRows(area, STATS_BLOCK).flat());
  });

  it('takes about STATS_SAMPLE_BLOCKS blocks spread over a large pair, one per stratum row and column band', () => {
    const area = { col: 3, row: -9, width: 8192, height: 8192 };
    const picked = sampleBlocks(area);
    expect(picked.length).toBe(STATS_SAMPLE_BLOCKS);
    expect(sampleBlocks(area)).toEqual(picked);
    const rowsUsed = new Set(picked.map((b) => b.row));
    const colsUsed = new Set(picked.map((b) => b.col));
    expect(rowsUsed.size).toBe(4);
    expect(colsUsed.size).toBeGreaterThanOrEqual(4);
    for (const b of picked) {
      expect(b.width).toBeGreaterThan(0);
      expect(b.col + b.width).toBeLessThanOrEqual(area.col + area.width);
      expect(b.row + b.height).toBeLessThanOrEqual(area.row + area.height);
    }
  });

  it('stays near the budget for long, thin and huge pairs', () => {
    for (const [w, h] of [[100_000, 300], [300, 100_000], [40_000, 40_000], [8193, 8193]] as const) {
      const picked = sampleBlocks({ col: 0, row: 0, width: w, height: h });
      expect(picked.length, `${w}x${h}`).toBeGreaterThan(0);
      expect(picked.length, `${w}x${h}`).toBeLessThanOrEqual(3 * STATS_SAMPLE_BLOCKS);
    }
  });
});
