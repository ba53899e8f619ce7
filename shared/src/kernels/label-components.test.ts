import { describe, expect, it } from 'vitest';
import { componentStats } from './component-stats.js';
import { labelComponents, labelComponentsWithStats, labelScratchLength } from './label-components.js';
import { referenceComponentStats, referenceLabelComponents } from './reference-kernels.js';
import { mulberry32, noiseMask, randomInt } from './test-random.js';

/** Parses rows of digits (spaces ignored) into a mask. */
function grid(...rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').replace(/ /g, ''), (c) => Number(c));
}

function label(mask: Uint8Array, width: number, height: number): { n: number; labels: number[] } {
  const labels = new Int32Array(width * height).fill(-7); // garbage must be overwritten
  const n = labelComponents(mask, width, height, labels, new Int32Array(labelScratchLength(width, height)));
  return { n, labels: Array.from(labels) };
}

describe('labelComponents', () => {
  it('joins diagonal neighbours (8-connectivity) and numbers components in raster order', () => {
    const mask = grid(
      '1 0 0 1 1',
      '0 1 0 0 1',
      '0 0 0 0 0',
      '1 1 0 1 0',
      '0 1 0 0 1',
    );
    expect(label(mask, 5, 5)).toEqual({
      n: 4,
      labels: [
        1, 0, 0, 2, 2,
        0, 1, 0, 0, 2,
        0, 0, 0, 0, 0,
        3, 3, 0, 4, 0,
        0, 3, 0, 0, 4,
      ],
    });
  });

  it('merges provisional labels of a U and a staircase into the first pixel’s number', () => {
    const mask = grid(
      '1 0 1 0 0 0 1',
      '1 0 1 0 0 1 0',
      '1 1 1 0 1 0 0',
      '0 0 0 0 0 1 0',
      '0 1 0 0 0 0 1',
    );
    // U (first pixel (0,0)) = 1, opened as two provisional labels; staircase (6,0) → (4,2) → (6,4)
    // = 2; (1,4) alone = 3
    expect(label(mask, 7, 5)).toEqual({
      n: 3,
      labels: [
        1, 0, 1, 0, 0, 0, 2,
        1, 0, 1, 0, 0, 2, 0,
        1, 1, 1, 0, 2, 0, 0,
        0, 0, 0, 0, 0, 2, 0,
        0, 3, 0, 0, 0, 0, 2,
      ],
    });
  });

  it('numbers by first pixel even when a later-opened label reaches higher up', () => {
    // the component starting at (4,0) is opened second in row 0 but absorbs the one opened at (0,1)
    const mask = grid(
      '0 0 0 0 1',
      '1 0 0 1 0',
      '0 1 1 0 0',
    );
    expect(label(mask, 5, 3)).toEqual({
      n: 1,
      labels: [0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0],
    });
    const two = grid(
      '0 1 0 0 0',
      '0 0 0 1 0',
      '1 1 1 0 0',
    );
    // (1,0) is alone (label 1); (3,1) joins the row below through (2,2) → label 2
    expect(label(two, 5, 3)).toEqual({
      n: 2,
      labels: [0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 2, 2, 2, 0, 0],
    });
  });

  it('handles empty, full, single-row, single-column and nonzero-valued masks', () => {
    expect(label(new Uint8Array(6), 3, 2)).toEqual({ n: 0, labels: [0, 0, 0, 0, 0, 0] });
    expect(label(new Uint8Array(6).fill(9), 3, 2)).toEqual({ n: 1, labels: [1, 1, 1, 1, 1, 1] });
    expect(label(grid('1 1 0 1 0 1'), 6, 1)).toEqual({ n: 3, labels: [1, 1, 0, 2, 0, 3] });
    expect(label(grid('1 0 1 1 0'), 1, 5)).toEqual({ n: 2, labels: [1, 0, 2, 2, 0] });
    expect(label(Uint8Array.of(255), 1, 1)).toEqual({ n: 1, labels: [1] });
    expect(labelComponents(new Uint8Array(0), 0, 0, new Int32Array(0), new Int32Array(1))).toBe(0);
  });

  it('fits the worst case (isolated pixels on every other row and column) in labelScratchLength', () => {
    const width = 5;
    const height = 5;
    const mask = new Uint8Array(25);
    for (let y = 0; y < height; y += 2) for (let x = 0; x < width; x += 2) mask[y * width + x] = 1;
    expect(labelScratchLength(5, 5)).toBe(10);
    const labels = new Int32Array(25);
    expect(labelComponents(mask, width, height, labels, new Int32Array(10))).toBe(9);
    expect(Array.from(labels)).toEqual([
      1, 0, 2, 0, 3,
      0, 0, 0, 0, 0,
      4, 0, 5, 0, 6,
      0, 0, 0, 0, 0,
      7, 0, 8, 0, 9,
    ]);
    expect(labelScratchLength(4, 3)).toBe(5);
    expect(labelScratchLength(0, 3)).toBe(1);
  });

  it('rejects short or overlapping buffers', () => {
    expect(() => labelComponents(new Uint8Array(25), 5, 5, new Int32Array(25), new Int32Array(9))).toThrow(RangeError);
    const shared = new Int32Array(40);
    expect(() => labelComponents(new Uint8Array(25), 5, 5, shared.subarray(0, 25), shared.subarray(20))).toThrow(
      RangeError,
    );
    expect(() => labelComponents(new Uint8Array(25), 5, 5, new Int32Array(24), new Int32Array(10))).toThrow(
      RangeError,
    );
    expect(() => labelComponents(new Uint8Array(24), 5, 5, new Int32Array(25), new Int32Array(10))).toThrow(
      RangeError,
    );
  });

  it('matches a flood-fill reference on seeded random masks', () => {
    const random = mulberry32(1966);
    for (let trial = 0; trial < 120; trial++) {
      const width = randomInt(random, 1, 40);
      const height = randomInt(random, 1, 30);
      const mask = noiseMask(random, width, height, random());
      const got = new Int32Array(width * height);
      const want = new Int32Array(width * height);
      const n = labelComponents(mask, width, height, got, new Int32Array(labelScratchLength(width, height)));
      expect(n).toBe(referenceLabelComponents(mask, width, height, want));
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('matches the flood-fill reference on odd shapes, word boundaries, unaligned views and edge-touching masks', () => {
    const random = mulberry32(808);
    // widths around the 4-pixel load and the 32-pixel word, single rows and columns
    const widths = [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 36, 63, 64, 65, 97, 128];
    const heights = [1, 2, 3, 5, 8, 13];
    for (const width of widths) {
      for (const height of heights) {
        for (const variant of ['sparse', 'noise', 'dense', 'frame', 'stripes', 'values'] as const) {
          const mask = maskOf(random, width, height, variant, randomInt(random, 0, 7));
          const got = new Int32Array(width * height).fill(-7);
          const want = new Int32Array(width * height);
          const n = labelComponents(mask, width, height, got, new Int32Array(labelScratchLength(width, height)));
          expect(n, `${width}×${height} ${variant}`).toBe(referenceLabelComponents(mask, width, height, want));
          expect(Array.from(got), `${width}×${height} ${variant}`).toEqual(Array.from(want));
        }
      }
    }
  });

  it('handles the most runs per row (alternating columns) on large odd and even widths', () => {
    // every other column set: ceil(width/2) runs in every row, the most the run-label sequence holds
    for (const [width, height] of [[301, 7], [300, 7], [33, 40], [1, 9]] as const) {
      for (const shift of [0, 1]) {
        const mask = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) + shift) % 2 === 0 ? 1 : 0);
        const got = new Int32Array(width * height);
        const want = new Int32Array(width * height);
        const n = labelComponents(mask, width, height, got, new Int32Array(labelScratchLength(width, height)));
        expect(n).toBe(referenceLabelComponents(mask, width, height, want));
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });
});

/** A mask of the given kind in a `offset`-byte-shifted view (exercises unaligned word loads). */
function maskOf(
  random: () => number,
  width: number,
  height: number,
  variant: 'sparse' | 'noise' | 'dense' | 'frame' | 'stripes' | 'values',
  offset: number,
): Uint8Array {
  const pixels = width * height;
  const mask = new Uint8Array(pixels + 8).subarray(offset, offset + pixels);
  for (let i = 0; i < pixels; i++) {
    const x = i % width;
    const y = (i - x) / width;
    const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
    const p = random();
    mask[i] =
      variant === 'sparse'
        ? p < 0.08 ? 1 : 0
        : variant === 'noise'
          ? p < 0.5 ? 1 : 0
          : variant === 'dense'
            ? p < 0.85 ? 1 : 0
            : variant === 'frame'
              ? edge || p < 0.15 ? 1 : 0
              : variant === 'stripes'
                ? ((x + (y >> 1)) & 1) === 0 || p < 0.05 ? 1 : 0
                : p < 0.5 ? randomInt(random, 1, 255) : 0;
  }
  return mask;
}

const STAT_KEYS = ['pixelCount', 'minX', 'minY', 'maxX', 'maxY', 'sumX', 'sumY', 'sumScore', 'classCount'] as const;

describe('labelComponentsWithStats', () => {
  it('returns labelComponents’ labels and componentStats’ statistics (hand-checked 5×5)', () => {
    const mask = grid(
      '1 0 0 1 1',
      '0 1 0 0 1',
      '0 0 0 0 0',
      '1 1 0 1 0',
      '0 1 0 0 1',
    );
    const score = Float32Array.from({ length: 25 }, (_, i) => (i % 5) + 10 * Math.floor(i / 5));
    const classes = Uint8Array.from([1, 0, 0, 3, 0, 0, 2, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 3, 0, 0, 2]);
    const labels = new Int32Array(25).fill(-3);
    const s = labelComponentsWithStats(mask, 5, 5, score, classes, 2, labels, new Int32Array(labelScratchLength(5, 5)));
    expect(s.n).toBe(4);
    expect(Array.from(labels)).toEqual([1, 0, 0, 2, 2, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 3, 0, 4, 0, 0, 3, 0, 0, 4]);
    expect(Array.from(s.pixelCount)).toEqual([0, 2, 3, 3, 2]);
    expect(Array.from(s.minX)).toEqual([5, 0, 3, 0, 3]);
    expect(Array.from(s.minY)).toEqual([5, 0, 0, 3, 3]);
    expect(Array.from(s.maxX)).toEqual([-1, 1, 4, 1, 4]);
    expect(Array.from(s.maxY)).toEqual([-1, 1, 1, 4, 4]);
    expect(Array.from(s.sumX)).toEqual([0, 2, 12.5, 3.5, 8]);
    expect(Array.from(s.sumY)).toEqual([0, 2, 2.5, 11.5, 8]);
    expect(Array.from(s.sumScore)).toEqual([0, 11, 21, 102, 77]);
    expect(Array.from(s.classCount)).toEqual([0, 0, 1, 1, 2, 1, 3, 1, 0, 1]);
  });

  it('handles empty arrays and masks', () => {
    const empty = labelComponentsWithStats(new Uint8Array(0), 0, 4, new Float32Array(0), new Uint8Array(0), 3, new Int32Array(0), new Int32Array(1));
    expect(empty.n).toBe(0);
    expect(empty.pixelCount.length).toBe(1);
    expect(empty.classCount.length).toBe(3);
    const labels = new Int32Array(6).fill(5);
    const none = labelComponentsWithStats(new Uint8Array(6), 3, 2, new Float32Array(6), new Uint8Array(6), 1, labels, new Int32Array(5));
    expect(none.n).toBe(0);
    expect(Array.from(labels)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('rejects bad classBits, short buffers and overlapping buffers', () => {
    const args = (): Parameters<typeof labelComponentsWithStats> => [
      new Uint8Array(25),
      5,
      5,
      new Float32Array(25),
      new Uint8Array(25),
      2,
      new Int32Array(25),
      new Int32Array(10),
    ];
    const call = (change: (a: Parameters<typeof labelComponentsWithStats>) => void): (() => unknown) => () => {
      const a = args();
      change(a);
      return labelComponentsWithStats(...a);
    };
    expect(call(() => {})).not.toThrow();
    expect(call((a) => (a[5] = 0))).toThrow(RangeError);
    expect(call((a) => (a[5] = 9))).toThrow(RangeError);
    expect(call((a) => (a[3] = new Float32Array(24)))).toThrow(RangeError);
    expect(call((a) => (a[4] = new Uint8Array(24)))).toThrow(RangeError);
    expect(call((a) => (a[7] = new Int32Array(9)))).toThrow(RangeError);
    const shared = new Int32Array(40);
    expect(call((a) => ((a[6] = shared.subarray(0, 25)), (a[7] = shared.subarray(20))))).toThrow(RangeError);
  });

  it('equals labelComponents + componentStats bit for bit on seeded masks of every kind and shape', () => {
    const random = mulberry32(4242);
    const shapes: Array<readonly [number, number]> = [[1, 1], [1, 17], [17, 1], [2, 2], [31, 9], [32, 9], [33, 9], [64, 5], [65, 12], [100, 30]];
    for (let trial = 0; trial < 40; trial++) shapes.push([randomInt(random, 1, 90), randomInt(random, 1, 40)]);
    for (const [width, height] of shapes) {
      for (const variant of ['sparse', 'noise', 'dense', 'frame', 'stripes', 'values'] as const) {
        const pixels = width * height;
        const mask = maskOf(random, width, height, variant, randomInt(random, 0, 7));
        const score = Float32Array.from({ length: pixels }, () => (random() - 0.2) * 1000);
        const classes = Uint8Array.from({ length: pixels }, () => randomInt(random, 0, 255));
        const classBits = randomInt(random, 1, 8);
        const scratchLength = labelScratchLength(width, height);

        const labels = new Int32Array(pixels);
        const n = labelComponents(mask, width, height, labels, new Int32Array(scratchLength));
        const want = componentStats(labels, n, width, height, score, classes, classBits);
        const reference = referenceComponentStats(labels, n, width, height, score, classes, classBits);

        const fusedLabels = new Int32Array(pixels).fill(-1);
        const got = labelComponentsWithStats(mask, width, height, score, classes, classBits, fusedLabels, new Int32Array(scratchLength));
        const tag = `${width}×${height} ${variant} classBits ${classBits}`;
        expect(got.n, tag).toBe(n);
        expect(Array.from(fusedLabels), tag).toEqual(Array.from(labels));
        for (const key of STAT_KEYS) {
          // toEqual compares numbers with Object.is: the float sums must be identical
          expect(Array.from(got[key]), `${tag} ${key}`).toEqual(Array.from(want[key]));
          expect(Array.from(got[key]), `${tag} ${key} (reference)`).toEqual(Array.from(reference[key]));
        }
      }
    }
  });
});
