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
