import { describe, expect, it } from 'vitest';
import { accumulateReplicationContrast, REPLICATION_COUNTS_PER_BAND, SEGMENT } from './replication-contrast.js';
import { mulberry32 } from './test-random.js';
import { replicatedScene } from './test-replicated-scene.js';

/** Naive reference: every run of every row and column visited on its own, pairs counted one by one. */
function reference(planar: Float32Array, width: number, height: number, bands: number, nodata: number | null): Float64Array {
  const out = new Float64Array(bands * REPLICATION_COUNTS_PER_BAND);
  const at = (b: number, x: number, y: number) => planar[b * width * height + y * width + x]!;
  const run = (pair: (k: number) => [number, number]): number | null => {
    const eq = [0, 0];
    const n = [0, 0];
    for (let k = 0; k < SEGMENT; k++) {
      const [v, w] = pair(k);
      if (!Number.isFinite(v) || !Number.isFinite(w) || v === nodata || w === nodata) continue;
      n[k % 2]!++;
      if (v === w) eq[k % 2]!++;
    }
    return n[0]! >= SEGMENT / 4 && n[1]! >= SEGMENT / 4 ? Math.abs(eq[0]! / n[0]! - eq[1]! / n[1]!) : null;
  };
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < height; y++) {
      for (let x0 = 0; x0 + SEGMENT <= width - 1; x0 += SEGMENT) {
        const c = run((k) => [at(b, x0 + k, y), at(b, x0 + k + 1, y)]);
        if (c !== null) {
          out[b * 4] += c;
          out[b * 4 + 1]++;
        }
      }
    }
    for (let y0 = 0; y0 + SEGMENT <= height - 1; y0 += SEGMENT) {
      for (let x = 0; x < width; x++) {
        const c = run((k) => [at(b, x, y0 + k), at(b, x, y0 + k + 1)]);
        if (c !== null) {
          out[b * 4 + 2] += c;
          out[b * 4 + 3]++;
        }
      }
    }
  }
  return out;
}

describe('accumulateReplicationContrast', () => {
  it('adds what a naive run-by-run count gives, skipping non-finite samples, for any size', () => {
    const random = mulberry32(5);
    for (const [w, h] of [[1, 1], [2, 40], [33, 33], [34, 34], [100, 70], [128, 97]] as const) {
      const planar = replicatedScene(w, h, 9);
      for (let i = 0; i < planar.length; i += 7) if (random() < 0.2) planar[i] = NaN;
      // a nodata value some samples hold (band 3 is 12 or 13), and none
      for (const nodata of [12, null]) {
        const out = new Float64Array(4 * REPLICATION_COUNTS_PER_BAND).fill(1); // added to
        accumulateReplicationContrast(planar, w, h, 4, nodata, out);
        const expected = reference(planar, w, h, 4, nodata);
        for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(expected[i]! + 1, 9);
      }
    }
  });

  it('reads near 1 for replicated bands (above 0.75 with a drifting phase) and under 0.2 for native and flat ones', () => {
    const out = new Float64Array(4 * REPLICATION_COUNTS_PER_BAND);
    accumulateReplicationContrast(replicatedScene(256, 256, 3), 256, 256, 4, null, out);
    const mean = (b: number, d: number) => out[b * 4 + d]! / out[b * 4 + d + 1]!;
    expect(mean(0, 0)).toBeLessThan(0.2); // native
    expect(mean(0, 2)).toBeLessThan(0.2);
    expect(mean(1, 0)).toBeGreaterThan(0.85); // 2× both ways
    expect(mean(1, 2)).toBeGreaterThan(0.85);
    expect(mean(2, 0)).toBeGreaterThan(0.75); // 2× along rows, phase shifting every 80 columns: the runs across a shift read less
    expect(mean(2, 0)).toBeLessThan(mean(1, 0));
    expect(mean(2, 2)).toBeLessThan(0.2);
    expect(mean(3, 0)).toBeLessThan(0.2); // flat
    expect(mean(3, 2)).toBeLessThan(0.2);
  });

  it('leaves nodata out: a replicated band half covered by nodata still reads replicated', () => {
    const width = 256;
    const height = 256;
    const planar = replicatedScene(width, height, 4).subarray(width * height, 2 * width * height).slice(); // band 1
    for (let y = 0; y < height; y++) for (let x = 0; x < width / 2; x++) planar[y * width + x] = 0;
    const withNodata = new Float64Array(REPLICATION_COUNTS_PER_BAND);
    accumulateReplicationContrast(planar, width, height, 1, 0, withNodata);
    expect(withNodata[0]! / withNodata[1]!).toBeGreaterThan(0.85);
    const without = new Float64Array(REPLICATION_COUNTS_PER_BAND);
    accumulateReplicationContrast(planar, width, height, 1, null, without);
    expect(without[0]! / without[1]!).toBeLessThan(0.6); // the nodata half reads as equal pairs on both parities
  });
});
