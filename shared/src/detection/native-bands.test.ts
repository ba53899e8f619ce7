import { describe, expect, it } from 'vitest';
import { accumulateNeighbourEquality, EQUALITY_COUNTS_PER_BAND } from '../kernels/neighbour-equality.js';
import { mulberry32, randomInt } from '../kernels/test-random.js';
import { nativeBands } from './native-bands.js';

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

describe('nativeBands', () => {
  const counts = (col0: number, row0: number) => {
    const c = new Float64Array(4 * EQUALITY_COUNTS_PER_BAND);
    accumulateNeighbourEquality(scene(256, 256, 3), 256, 256, 4, col0, row0, c);
    return c;
  };

  it('drops bands replicated 2× (both ways, or along rows only) and keeps native and flat ones, at any phase', () => {
    for (const [col0, row0] of [[0, 0], [1, 1], [7, 4]]) expect(nativeBands([0, 1, 2, 3], counts(col0, row0))).toEqual([0, 3]);
  });

  it('keeps every candidate when all look replicated, and decides nothing from too few pairs', () => {
    expect(nativeBands([1, 2], counts(0, 0))).toEqual([1, 2]);
    const few = new Float64Array(4 * EQUALITY_COUNTS_PER_BAND);
    accumulateNeighbourEquality(scene(20, 20, 3), 20, 20, 4, 0, 0, few);
    expect(nativeBands([0, 1, 2, 3], few)).toEqual([0, 1, 2, 3]);
  });
});
