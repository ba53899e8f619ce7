import { describe, expect, it } from 'vitest';
import type { LatticeWindow } from '../grid/lattice.js';
import { scoreModel, scoreWindow } from '../detection/classify-change.js';
import { accumulateHistogram } from '../kernels/histogram.js';
import { otsuThreshold } from '../kernels/otsu.js';
import { SCORE_HISTOGRAM } from '../detection/parameters.js';
import { computePairStats, computeSampleStats, sampledScoreHistogram, type PairSide } from './compute-pair-stats.js';
import { sampleBlocks, STATS_BLOCK } from './sample-blocks.js';

const BANDS = 3;
const NODATA = -9999;

/** Deterministic pseudo-random value of (epoch, band, col, row): a pair with texture, change and nodata. */
function sample(epoch: number, band: number, col: number, row: number): number {
  let h = (col * 374761393 + row * 668265263 + band * 2147483647 + epoch * 1274126177) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
  const noise = (h & 0xffff) / 0xffff;
  if ((h >>> 16) % 97 === 0) return NODATA; // scattered nodata
  const base = 100 + 40 * band + 30 * Math.sin(col / 37) * Math.cos(row / 23);
  // changed squares in the after epoch
  const changed = epoch === 1 && Math.floor(col / 90) % 5 === 2 && Math.floor(row / 70) % 4 === 1;
  return base + 12 * noise + (changed ? 60 + 20 * band : 0) + epoch * (3 + band);
}

/** One epoch read window by window (only what is asked for is made: big pairs cost nothing). */
function side(epoch: number, reads: LatticeWindow[] = []): PairSide {
  return {
    bands: BANDS,
    nodata: NODATA,
    readWindow: async (w) => {
      reads.push(w);
      const n = w.width * w.height;
      const out = new Float32Array(n * BANDS);
      for (let b = 0; b < BANDS; b++) {
        for (let y = 0; y < w.height; y++) for (let x = 0; x < w.width; x++) out[b * n + y * w.width + x] = sample(epoch, b, w.col + x, w.row + y);
      }
      return out;
    },
  };
}

const EVIDENCE = [0, 1, 2];

describe('sampledScoreHistogram', () => {
  it('is, for a pair of up to 16 blocks, the histogram of every pixel scored as detection scores it', async () => {
    // 3 × 2 blocks, the last column and row partial, the overlap off the lattice origin
    const overlap = { col: 5, row: 11, width: 2 * STATS_BLOCK + 276, height: STATS_BLOCK + 390 };
    const { stats, blocks } = await computeSampleStats(side(0), side(1), overlap, EVIDENCE);
    expect(blocks.length).toBe(6);
    const hist = await sampledScoreHistogram(blocks, overlap, scoreModel(stats, NODATA, NODATA), [side(0), side(1)]);
    // blocks the statistics did not keep are read again, with the same result
    const unkept = blocks.map((b) => ({ window: b.window, samples: null }));
    expect(Array.from(await sampledScoreHistogram(unkept, overlap, scoreModel(stats, NODATA, NODATA), [side(0), side(1)]))).toEqual(Array.from(hist));

    const [b, a] = await Promise.all([side(0).readWindow(overlap), side(1).readWindow(overlap)]);
    const whole = scoreWindow(b, a, overlap.width, overlap.height, scoreModel(stats, NODATA, NODATA));
    const expected = new Float64Array(SCORE_HISTOGRAM.bins);
    accumulateHistogram(whole.score, whole.valid, whole.valid.length, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max, expected);
    expect(Array.from(hist)).toEqual(Array.from(expected));
    const validPixels = whole.valid.reduce((s, v) => s + v, 0);
    expect(validPixels).toBeGreaterThan(0.9 * overlap.width * overlap.height);
    expect(validPixels).toBeLessThan(overlap.width * overlap.height); // the nodata is there

    const pair = await computePairStats(side(0), side(1), overlap, EVIDENCE);
    expect(pair.validPixels).toBe(validPixels);
    expect(pair.threshold).toBe(otsuThreshold(expected, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max));
    expect(pair.threshold).toBeGreaterThan(0);
  });

  it('reads only the sampled blocks of a large pair and scores each on its own where no neighbour was sampled', async () => {
    // 8 × 8 blocks: 16 sampled, none next to another
    const overlap = { col: 0, row: 0, width: 8 * STATS_BLOCK, height: 8 * STATS_BLOCK };
    const reads: LatticeWindow[] = [];
    const { stats, blocks } = await computeSampleStats(side(0, reads), side(1, reads), overlap, EVIDENCE);
    const picked = sampleBlocks(overlap);
    expect(picked.length).toBe(16);
    expect(blocks.map((b) => b.window)).toEqual(picked);
    for (const r of reads) expect(picked).toContainEqual(r);

    const model = scoreModel(stats, NODATA, NODATA);
    const hist = await sampledScoreHistogram(blocks, overlap, model, [side(0), side(1)]);
    const expected = new Float64Array(SCORE_HISTOGRAM.bins);
    for (const w of picked) {
      const [b, a] = await Promise.all([side(0).readWindow(w), side(1).readWindow(w)]);
      const alone = scoreWindow(b, a, w.width, w.height, model);
      accumulateHistogram(alone.score, alone.valid, alone.valid.length, SCORE_HISTOGRAM.min, SCORE_HISTOGRAM.max, expected);
    }
    expect(Array.from(hist)).toEqual(Array.from(expected));
  });
});
