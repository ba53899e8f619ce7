import { describe, expect, it } from 'vitest';
import { INDEX_QUANTUM, indexPlan, labelIndexSums } from './change-evidence.js';
import { Workspace } from './classify-change.js';
import { mulberry32 } from '../kernels/test-random.js';

describe('labelIndexSums', () => {
  it('gives the same sums with the labelling hint (pixel count, rows and columns with labels) as without it, and the formula\'s', () => {
    const rand = mulberry32(23);
    const bands = ['blue', 'green', 'red', 'nir', 'swir16'] as const;
    const plan = indexPlan([...bands], { evidenceBands: [0, 1, 2, 3, 4], evidenceGroups: null, beforeMean: Float64Array.of(500, 600, 700, 2000, 1500), beforeStd: Float64Array.of(100, 100, 100, 300, 200), afterMean: Float64Array.of(520, 610, 690, 1900, 1550), afterStd: Float64Array.of(90, 95, 110, 280, 210) });
    expect(plan.channels.length).toBeGreaterThan(4);
    const columns = 2 * plan.channels.length;
    const halo = { col: 10, row: 20, width: 40, height: 30 };
    const window = { col: 13, row: 23, width: 34, height: 24 };
    const haloPixels = halo.width * halo.height;
    const before = new Uint16Array(haloPixels * bands.length).map(() => 100 + Math.floor(rand() * 3000));
    const after = new Float32Array(haloPixels * bands.length).map(() => 100 + Math.floor(rand() * 3000));
    // three labels in rows 5–15 of the window
    const labels = new Int32Array(window.width * window.height);
    let pixels = 0;
    for (let y = 5; y < 16; y++) {
      for (let x = 0; x < window.width; x++) {
        if (rand() < 0.4) {
          labels[y * window.width + x] = 1 + Math.floor(rand() * 3);
          pixels++;
        }
      }
    }
    const plain = labelIndexSums(plan, before, after, halo, window, labels, 3);
    const hinted = labelIndexSums(plan, before, after, halo, window, labels, 3, { pixels, rows: [5, 16] });
    expect(Array.from(hinted)).toEqual(Array.from(plain));
    // with the columns too, in a workspace whose arrays an earlier, larger call left longer and dirty
    const work = new Workspace();
    work.floats('indexBefore', 10 * pixels * bands.length).fill(7);
    work.ints('indexLabels', 10 * pixels).fill(2);
    const reused = labelIndexSums(plan, before, after, halo, window, labels, 3, { pixels, rows: [5, 16], cols: [0, window.width] }, work);
    expect(Array.from(reused)).toEqual(Array.from(plain));
    // NDVI against the formula pixel by pixel: Σ round(ndvi · INDEX_QUANTUM) per label, each epoch
    const ndvi = 2 * plan.channels.indexOf('ndvi');
    const [red, nir] = [2, 3];
    const dx = window.col - halo.col;
    const dy = window.row - halo.row;
    for (let label = 1; label <= 3; label++) {
      const expected = [0, 0];
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== label) continue;
        const at = (Math.floor(i / window.width) + dy) * halo.width + (i % window.width) + dx;
        [before, after].forEach((planes, e) => {
          const [x, y] = [planes[nir * haloPixels + at]!, planes[red * haloPixels + at]!];
          expected[e]! += Math.floor(Math.fround((x - y) / (x + y)) * INDEX_QUANTUM + 0.5);
        });
      }
      expect([plain[label * columns + ndvi], plain[label * columns + ndvi + 1]]).toEqual(expected);
    }
    // every label has non-zero sums (the test does not pass on all-zero output)
    for (let label = 1; label <= 3; label++) expect(plain.subarray(label * columns, (label + 1) * columns).some((v) => v !== 0)).toBe(true);
  });
});

describe('indexPlan for a hyperspectral cube', () => {
  it('takes brightness from the evidence planes holding the visible bands, each the mean of its group, with that plane\'s statistics', () => {
    // 20 bands, evidence planes of one band each but for the last four (groups of 2): blue 16, green 17 share plane 14, red 18 is in plane 15
    const names = [...new Array<null>(16).fill(null), 'blue', 'green', 'red', 'nir'] as const;
    const evidenceBands = Array.from({ length: 20 }, (_, b) => b);
    const evidenceGroups = [...new Array<number>(12).fill(1), 2, 2, 2, 2];
    const mean = (k: number) => 100 + k;
    const std = (k: number) => 10 + k;
    const stats = Float64Array.from({ length: 16 }, (_, k) => mean(k));
    const stds = Float64Array.from({ length: 16 }, (_, k) => std(k));
    const plan = indexPlan([...names], { evidenceBands, evidenceGroups, beforeMean: stats, beforeStd: stds, afterMean: stats, afterStd: stds });
    expect(plan.visible).toEqual([16, 17, 18, 19]);
    expect(plan.visibleGroups).toEqual([2, 2]);
    expect(plan.beforeMean).toEqual([mean(14), mean(15)]);
    expect(plan.channels).toContain('brightness');
    // one labelled pixel: brightness = mean over the two planes of (group mean − plane mean) / plane std
    const halo = { col: 0, row: 0, width: 1, height: 1 };
    const sample = Float32Array.from({ length: 20 }, (_, b) => 50 + 7 * b);
    const sums = labelIndexSums(plan, sample, sample, halo, halo, Int32Array.of(1), 1);
    const z = (a: number, b: number, k: number) => ((a + b) / 2 - mean(k)) / std(k);
    const expected = (z(sample[16]!, sample[17]!, 14) + z(sample[18]!, sample[19]!, 15)) / 2;
    const column = 2 * plan.channels.indexOf('brightness');
    expect(sums[plan.channels.length * 2 + column]! / INDEX_QUANTUM).toBeCloseTo(expected, 3);
    // a model of one plane per band keeps the bands themselves
    const single = indexPlan([...names], { evidenceBands, evidenceGroups: null, beforeMean: new Float64Array(20), beforeStd: new Float64Array(20).fill(1), afterMean: new Float64Array(20), afterStd: new Float64Array(20).fill(1) });
    expect(single.visible).toEqual([16, 17, 18]);
    expect(single).not.toHaveProperty('visibleGroups');
  });
});
