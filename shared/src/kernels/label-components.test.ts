import { describe, expect, it } from 'vitest';
import { labelComponents, labelScratchLength } from './label-components.js';
import { referenceLabelComponents } from './reference-kernels.js';
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
});
