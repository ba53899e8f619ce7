import { describe, expect, it } from 'vitest';
import { accumulateNeighbourEquality, EQUALITY_COUNTS_PER_BAND } from './neighbour-equality.js';
import { mulberry32, randomInt } from './test-random.js';

/** Naive reference: every pair visited on its own. */
function reference(planar: Float32Array, width: number, height: number, bands: number, col0: number, row0: number): Float64Array {
  const counts = new Float64Array(bands * EQUALITY_COUNTS_PER_BAND);
  const at = (b: number, x: number, y: number) => planar[b * width * height + y * width + x]!;
  for (let b = 0; b < bands; b++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = at(b, x, y);
        if (!Number.isFinite(v)) continue;
        if (x + 1 < width && Number.isFinite(at(b, x + 1, y))) {
          const k = b * 8 + ((col0 + x) % 2 === 0 ? 0 : 2);
          counts[k] += v === at(b, x + 1, y) ? 1 : 0;
          counts[k + 1]++;
        }
        if (y + 1 < height && Number.isFinite(at(b, x, y + 1))) {
          const k = b * 8 + ((row0 + y) % 2 === 0 ? 4 : 6);
          counts[k] += v === at(b, x, y + 1) ? 1 : 0;
          counts[k + 1]++;
        }
      }
    }
  }
  return counts;
}

/** Bands: 0 native noise, 1 replicated 2× both ways, 2 replicated 2× along rows only, 3 nearly flat (8-bit-like). */
function scene(width: number, height: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const n = width * height;
  const planar = new Float32Array(4 * n);
  const coarse = Float32Array.from({ length: n }, () => randomInt(random, 0, 1000));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      planar[i] = randomInt(random, 0, 1000);
      planar[n + i] = coarse[(y >> 1) * width + (x >> 1)]!;
      planar[2 * n + i] = coarse[y * width + (x >> 1)]!;
      planar[3 * n + i] = random() < 0.8 ? 12 : 13;
    }
  }
  return planar;
}

describe('accumulateNeighbourEquality', () => {
  it('counts what a naive pair-by-pair count gives, at any lattice offset, skipping non-finite samples', () => {
    const random = mulberry32(5);
    for (const [w, h, col0, row0] of [[1, 1, 0, 0], [2, 3, 1, 0], [37, 23, 5, 8], [64, 64, 3, 7]] as const) {
      const planar = scene(w, h, 9);
      for (let i = 0; i < planar.length; i += 13) if (random() < 0.3) planar[i] = NaN;
      const counts = new Float64Array(4 * EQUALITY_COUNTS_PER_BAND).fill(1); // added to
      accumulateNeighbourEquality(planar, w, h, 4, col0, row0, counts);
      expect(Array.from(counts)).toEqual(Array.from(reference(planar, w, h, 4, col0, row0), (v) => v + 1));
    }
  });
});
