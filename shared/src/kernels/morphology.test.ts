import { describe, expect, it } from 'vitest';
import { dilate3x3, erode3x3, open3x3 } from './morphology.js';
import { referenceMorphology } from './reference-kernels.js';
import { mulberry32, noiseMask, randomInt } from './test-random.js';

/** Parses rows of '0'/'1' (spaces ignored) into a mask. */
function grid(...rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').replace(/ /g, ''), (c) => Number(c));
}

// 5×5: a 3×3 block in the top-left corner, a diagonal 1-px bridge, a 2×2 block in the bottom-right corner
const src = grid(
  '1 1 1 0 0',
  '1 1 1 0 0',
  '1 1 1 1 0',
  '0 0 1 1 1',
  '0 0 0 1 1',
);

describe('erode3x3', () => {
  it('keeps a pixel only if its whole in-array 3×3 window is set (hand-computed 5×5)', () => {
    const out = new Uint8Array(25).fill(7);
    erode3x3(src, 5, 5, out);
    expect(Array.from(out)).toEqual(
      Array.from(grid(
        '1 1 0 0 0',
        '1 1 0 0 0',
        '0 0 0 0 0',
        '0 0 0 0 0',
        '0 0 0 0 1',
      )),
    );
  });

  it('does not eat an all-foreground array from its edges', () => {
    const out = new Uint8Array(12);
    erode3x3(new Uint8Array(12).fill(1), 4, 3, out);
    expect(Array.from(out)).toEqual(new Array(12).fill(1));
  });

  it('treats any nonzero value as foreground and outputs 0/1', () => {
    const out = new Uint8Array(4);
    erode3x3(Uint8Array.from([255, 2, 1, 128]), 2, 2, out);
    expect(Array.from(out)).toEqual([1, 1, 1, 1]);
    erode3x3(Uint8Array.from([255, 2, 0, 128]), 2, 2, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  it('handles 1-pixel-wide and 1-pixel-high arrays', () => {
    const out = new Uint8Array(5);
    erode3x3(grid('1 1 1 0 1'), 5, 1, out);
    expect(Array.from(out)).toEqual([1, 1, 0, 0, 0]);
    erode3x3(grid('1 1 1 0 1'), 1, 5, out);
    expect(Array.from(out)).toEqual([1, 1, 0, 0, 0]);
    const single = new Uint8Array(1);
    erode3x3(Uint8Array.of(1), 1, 1, single);
    expect(single[0]).toBe(1);
  });

  it('accepts empty arrays and rejects aliasing or short buffers', () => {
    erode3x3(new Uint8Array(0), 0, 3, new Uint8Array(0));
    const buffer = new Uint8Array(8);
    expect(() => erode3x3(buffer, 2, 2, buffer.subarray(2, 6))).toThrow(RangeError);
    expect(() => erode3x3(new Uint8Array(4), 2, 2, new Uint8Array(3))).toThrow(RangeError);
    // disjoint views of one buffer are fine
    erode3x3(buffer.subarray(0, 4), 2, 2, buffer.subarray(4, 8));
  });
});

describe('dilate3x3', () => {
  it('sets a pixel if any in-array pixel of its 3×3 window is set (hand-computed 5×5)', () => {
    const out = new Uint8Array(25).fill(7);
    dilate3x3(src, 5, 5, out);
    expect(Array.from(out)).toEqual(
      Array.from(grid(
        '1 1 1 1 0',
        '1 1 1 1 1',
        '1 1 1 1 1',
        '1 1 1 1 1',
        '0 1 1 1 1',
      )),
    );
  });

  it('grows a single pixel to 3×3, clipped at the array corner', () => {
    const out = new Uint8Array(16);
    dilate3x3(grid('0000', '0000', '0000', '0002'), 4, 4, out);
    expect(Array.from(out)).toEqual(Array.from(grid('0000', '0000', '0011', '0011')));
  });
});

describe('open3x3', () => {
  it('removes the 1-px bridge, keeps blocks touching the edges (hand-computed 5×5)', () => {
    const scratch = new Uint8Array(25);
    const out = new Uint8Array(25);
    open3x3(src, 5, 5, scratch, out);
    expect(Array.from(out)).toEqual(
      Array.from(grid(
        '1 1 1 0 0',
        '1 1 1 0 0',
        '1 1 1 0 0',
        '0 0 0 1 1',
        '0 0 0 1 1',
      )),
    );
  });

  it('removes lines narrower than 3 px in the interior, keeps a 3-px line', () => {
    const mask = grid(
      '0 0 0 0 0 0 0',
      '0 1 1 1 1 1 0',
      '0 1 1 1 1 1 0',
      '0 0 0 0 0 0 0',
      '0 1 1 1 1 1 0',
      '0 1 1 1 1 1 0',
      '0 1 1 1 1 1 0',
    );
    const out = new Uint8Array(49);
    open3x3(mask, 7, 7, new Uint8Array(49), out);
    expect(Array.from(out)).toEqual(
      Array.from(grid(
        '0 0 0 0 0 0 0',
        '0 0 0 0 0 0 0',
        '0 0 0 0 0 0 0',
        '0 0 0 0 0 0 0',
        '0 1 1 1 1 1 0',
        '0 1 1 1 1 1 0',
        '0 1 1 1 1 1 0',
      )),
    );
  });

  it('rejects scratch aliasing out', () => {
    const shared = new Uint8Array(4);
    expect(() => open3x3(new Uint8Array(4), 2, 2, shared, shared)).toThrow(RangeError);
  });
});

describe('morphology vs reference', () => {
  it('matches bounds-checked window filters on seeded random masks', () => {
    const random = mulberry32(33);
    for (let trial = 0; trial < 60; trial++) {
      const width = randomInt(random, 1, 29);
      const height = randomInt(random, 1, 23);
      const mask = noiseMask(random, width, height, 0.3 + random() * 0.6);
      const pixels = width * height;
      const got = new Uint8Array(pixels);
      const want = new Uint8Array(pixels);
      erode3x3(mask, width, height, got);
      referenceMorphology(mask, width, height, true, want);
      expect(Array.from(got)).toEqual(Array.from(want));
      dilate3x3(mask, width, height, got);
      referenceMorphology(mask, width, height, false, want);
      expect(Array.from(got)).toEqual(Array.from(want));
      open3x3(mask, width, height, new Uint8Array(pixels), got);
      const eroded = new Uint8Array(pixels);
      referenceMorphology(mask, width, height, true, eroded);
      referenceMorphology(eroded, width, height, false, want);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});
