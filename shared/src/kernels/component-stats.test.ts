import { describe, expect, it } from 'vitest';
import { componentStats } from './component-stats.js';
import { labelComponents, labelScratchLength } from './label-components.js';
import { referenceComponentStats } from './reference-kernels.js';
import { mulberry32, noiseMask, randomInt } from './test-random.js';

// 5×5 labels (from labelComponents' hand-computed example)
const labels = Int32Array.from([
  1, 0, 0, 2, 2,
  0, 1, 0, 0, 2,
  0, 0, 0, 0, 0,
  3, 3, 0, 4, 0,
  0, 3, 0, 0, 4,
]);
// score = x + 10·y
const score = Float32Array.from({ length: 25 }, (_, i) => (i % 5) + 10 * Math.floor(i / 5));
// class bit flags; (2,2) is background and must not be counted
const classes = Uint8Array.from([
  1, 0, 0, 3, 0,
  0, 2, 0, 0, 1,
  0, 0, 1, 0, 0,
  1, 1, 0, 0, 0,
  0, 3, 0, 0, 2,
]);

describe('componentStats', () => {
  it('computes count, bbox, centre sums, score sums and class counts (hand-computed 5×5)', () => {
    const s = componentStats(labels, 4, 5, 5, score, classes, 2);
    // 1: (0,0),(1,1)   2: (3,0),(4,0),(4,1)   3: (0,3),(1,3),(1,4)   4: (3,3),(4,4)
    expect(Array.from(s.pixelCount)).toEqual([0, 2, 3, 3, 2]);
    expect(Array.from(s.minX).slice(1)).toEqual([0, 3, 0, 3]);
    expect(Array.from(s.minY).slice(1)).toEqual([0, 0, 3, 3]);
    expect(Array.from(s.maxX).slice(1)).toEqual([1, 4, 1, 4]);
    expect(Array.from(s.maxY).slice(1)).toEqual([1, 1, 4, 4]);
    expect(Array.from(s.sumX)).toEqual([0, 2, 12.5, 3.5, 8]);
    expect(Array.from(s.sumY)).toEqual([0, 2, 2.5, 11.5, 8]);
    expect(Array.from(s.sumScore)).toEqual([0, 11, 21, 102, 77]);
    // [label·2 + bit]: bit 0 = farmland, bit 1 = red line
    expect(Array.from(s.classCount)).toEqual([0, 0, 1, 1, 2, 1, 3, 1, 0, 1]);
  });

  it('counts only the requested number of class bits', () => {
    const s = componentStats(labels, 4, 5, 5, score, classes, 1);
    expect(Array.from(s.classCount)).toEqual([0, 1, 2, 3, 0]);
    const wide = componentStats(labels, 4, 5, 5, score, Uint8Array.from(classes, (c) => c << 6), 8);
    expect(wide.classCount.length).toBe(40);
    expect(Array.from(wide.classCount.subarray(3 * 8, 4 * 8))).toEqual([0, 0, 0, 0, 0, 0, 3, 1]);
  });

  it('leaves a label without pixels at count 0 with an empty bbox', () => {
    const s = componentStats(Int32Array.from([0, 2, 2, 0]), 3, 2, 2, new Float32Array(4), new Uint8Array(4), 1);
    expect(Array.from(s.pixelCount)).toEqual([0, 0, 2, 0]);
    expect([s.minX[1], s.minY[1], s.maxX[1], s.maxY[1]]).toEqual([2, 2, -1, -1]);
    expect([s.minX[2], s.minY[2], s.maxX[2], s.maxY[2]]).toEqual([0, 0, 1, 1]);
    expect([s.minX[3], s.minY[3], s.maxX[3], s.maxY[3]]).toEqual([2, 2, -1, -1]);
  });

  it('rejects labels above n, bad classBits and short buffers', () => {
    expect(() => componentStats(labels, 3, 5, 5, score, classes, 2)).toThrow(RangeError);
    expect(() => componentStats(labels, 4, 5, 5, score, classes, 0)).toThrow(RangeError);
    expect(() => componentStats(labels, 4, 5, 5, score, classes, 9)).toThrow(RangeError);
    expect(() => componentStats(labels, 4, 5, 5, score.subarray(1), classes, 2)).toThrow(RangeError);
  });

  it('matches per-component recomputation on seeded random masks', () => {
    const random = mulberry32(8);
    for (let trial = 0; trial < 30; trial++) {
      const width = randomInt(random, 1, 30);
      const height = randomInt(random, 1, 30);
      const pixels = width * height;
      const mask = noiseMask(random, width, height, random() * 0.7);
      const lab = new Int32Array(pixels);
      const n = labelComponents(mask, width, height, lab, new Int32Array(labelScratchLength(width, height)));
      const sc = new Float32Array(pixels).map(() => random() * 10);
      const cl = new Uint8Array(pixels).map(() => randomInt(random, 0, 7));
      const s = componentStats(lab, n, width, height, sc, cl, 3);
      for (let l = 1; l <= n; l++) {
        const xs: number[] = [];
        const ys: number[] = [];
        let scoreSum = 0;
        const bits = [0, 0, 0];
        for (let i = 0; i < pixels; i++) {
          if (lab[i] !== l) continue;
          xs.push(i % width);
          ys.push(Math.floor(i / width));
          scoreSum += sc[i];
          for (let k = 0; k < 3; k++) bits[k] += (cl[i] >> k) & 1;
        }
        expect(s.pixelCount[l]).toBe(xs.length);
        expect([s.minX[l], s.minY[l], s.maxX[l], s.maxY[l]]).toEqual([
          Math.min(...xs),
          Math.min(...ys),
          Math.max(...xs),
          Math.max(...ys),
        ]);
        expect(s.sumX[l]).toBe(xs.reduce((a, x) => a + x + 0.5, 0));
        expect(s.sumY[l]).toBe(ys.reduce((a, y) => a + y + 0.5, 0));
        expect(s.sumScore[l]).toBeCloseTo(scoreSum, 9);
        expect(Array.from(s.classCount.subarray(3 * l, 3 * l + 3))).toEqual(bits);
      }
    }
  });

  it('throws for a label above n inside a segment of another label', () => {
    // 1 is followed (after a short gap) by 5 > n: the segment of 1 ends there and 5 is rejected
    expect(() => componentStats(Int32Array.from([1, 0, 5, 1]), 1, 4, 1, new Float32Array(4), new Uint8Array(4), 1)).toThrow(
      /label 5 at \(2, 0\)/,
    );
  });

  it('equals the pixel-by-pixel reference bit for bit on arbitrary label rasters and unaligned views', () => {
    const random = mulberry32(99);
    const shapes: Array<readonly [number, number]> = [[1, 1], [1, 20], [20, 1], [7, 3], [31, 4], [32, 4], [33, 4], [64, 3], [130, 6]];
    for (let trial = 0; trial < 40; trial++) shapes.push([randomInt(random, 1, 80), randomInt(random, 1, 30)]);
    for (const [width, height] of shapes) {
      for (const kind of ['components', 'arbitrary', 'runs'] as const) {
        const pixels = width * height;
        // views at every int32 offset, so both the aligned (8-byte) and the unaligned scan run
        const offset = randomInt(random, 0, 3);
        const lab = new Int32Array(pixels + 4).subarray(offset, offset + pixels);
        let n: number;
        if (kind === 'components') {
          const mask = noiseMask(random, width, height, random());
          n = labelComponents(mask, width, height, lab, new Int32Array(labelScratchLength(width, height)));
        } else if (kind === 'arbitrary') {
          // adjacent different labels, negative (background) labels, labels with no pixels
          n = randomInt(random, 1, 6);
          for (let i = 0; i < pixels; i++) {
            const p = random();
            lab[i] = p < 0.4 ? 0 : p < 0.5 ? -randomInt(random, 1, 3) : p < 0.52 ? -2147483648 : randomInt(random, 1, n);
          }
        } else {
          // long runs of one label with gaps of every length around the segment gap limit
          n = 3;
          let i = 0;
          while (i < pixels) {
            const length = randomInt(random, 1, 12);
            const value = random() < 0.5 ? 0 : randomInt(random, 1, n);
            for (let k = 0; k < length && i < pixels; k++, i++) lab[i] = value;
          }
        }
        const sc = Float32Array.from({ length: pixels }, () => (random() - 0.3) * 1e4);
        const cl = Uint8Array.from({ length: pixels }, () => randomInt(random, 0, 255));
        const classBits = randomInt(random, 1, 8);
        const got = componentStats(lab, n, width, height, sc, cl, classBits);
        const want = referenceComponentStats(lab, n, width, height, sc, cl, classBits);
        for (const key of ['pixelCount', 'minX', 'minY', 'maxX', 'maxY', 'sumX', 'sumY', 'sumScore', 'classCount'] as const) {
          // toEqual compares numbers with Object.is: the float sums must be identical
          expect(Array.from(got[key]), `${width}×${height} ${kind} ${key}`).toEqual(Array.from(want[key]));
        }
      }
    }
  });

  it('propagates NaN and infinite scores like a pixel-by-pixel sum, and ignores them on background', () => {
    const lab = Int32Array.from([1, 0, 1, 2, 0, 2, 0, 0]);
    const sc = Float32Array.from([1, NaN, 2, Infinity, -Infinity, 3, NaN, 0]);
    const s = componentStats(lab, 2, 8, 1, sc, new Uint8Array(8), 1);
    expect(Array.from(s.sumScore)).toEqual([0, 3, Infinity]);
    const withNaN = componentStats(Int32Array.from([1, 1]), 1, 2, 1, Float32Array.from([NaN, 1]), new Uint8Array(2), 1);
    expect(withNaN.sumScore[1]).toBeNaN();
  });
});
