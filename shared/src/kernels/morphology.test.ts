import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close3x3, dilate3x3, erode3x3, open3x3, setMorphologySimd } from './morphology.js';
import { morphologyModule, morphologySimd } from './morphology-simd.js';
import { referenceMorphology } from './reference-kernels.js';
import { blobMask, mulberry32, noiseMask, randomInt } from './test-random.js';
import { hasSimd, validate } from './wasm/runtime.js';

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

describe('close3x3', () => {
  it('fills 1-px holes and gaps, keeps the array edges (hand-computed 7×5)', () => {
    const mask = grid(
      '1 1 1 0 0 0 0',
      '1 0 1 0 0 1 1',
      '1 1 1 0 1 1 1',
      '0 0 0 0 0 0 0',
      '1 0 1 0 0 0 1',
    );
    const out = new Uint8Array(35).fill(7);
    close3x3(mask, 7, 5, new Uint8Array(35), out);
    // Dilation sets everything except (4,4) (its window holds no foreground); erosion then clears
    // the pixels whose clipped window holds (4,4). So the hole (1,1), the 1-px gap column x = 3,
    // the empty row 3 and the gaps of row 4 are filled except around (4,4), and nothing is eaten
    // at the array edges.
    expect(Array.from(out)).toEqual(
      Array.from(grid(
        '1 1 1 1 1 1 1',
        '1 1 1 1 1 1 1',
        '1 1 1 1 1 1 1',
        '1 1 1 0 0 0 1',
        '1 1 1 0 0 0 1',
      )),
    );
    const eroded = new Uint8Array(35);
    const dilated = new Uint8Array(35);
    referenceMorphology(mask, 7, 5, false, dilated);
    referenceMorphology(dilated, 7, 5, true, eroded);
    expect(Array.from(out)).toEqual(Array.from(eroded));
  });

  it('keeps an all-foreground array and an empty array as they are', () => {
    const out = new Uint8Array(15);
    close3x3(new Uint8Array(15).fill(3), 5, 3, new Uint8Array(15), out);
    expect(Array.from(out)).toEqual(new Array(15).fill(1));
    close3x3(new Uint8Array(15), 5, 3, new Uint8Array(15), out);
    expect(Array.from(out)).toEqual(new Array(15).fill(0));
    close3x3(new Uint8Array(0), 0, 0, new Uint8Array(0), new Uint8Array(0));
  });

  it('rejects aliasing and short buffers', () => {
    const shared = new Uint8Array(4);
    expect(() => close3x3(new Uint8Array(4), 2, 2, shared, shared)).toThrow(RangeError);
    expect(() => close3x3(shared, 2, 2, new Uint8Array(4), shared)).toThrow(RangeError);
    expect(() => close3x3(new Uint8Array(4), 2, 2, new Uint8Array(3), new Uint8Array(4))).toThrow(RangeError);
    expect(() => open3x3(new Uint8Array(4), 2, 2, new Uint8Array(3), new Uint8Array(4))).toThrow(RangeError);
  });
});

/** A `length`-byte view starting `offset` bytes into a fresh buffer (to exercise unaligned views). */
function view(length: number, offset: number): Uint8Array {
  return new Uint8Array(length + 8).subarray(offset, offset + length);
}

/** Opening / closing from the reference filters. */
function referenceTwoStage(mask: Uint8Array, width: number, height: number, erodeFirst: boolean): Uint8Array {
  const middle = new Uint8Array(width * height);
  const out = new Uint8Array(width * height);
  referenceMorphology(mask, width, height, erodeFirst, middle);
  referenceMorphology(middle, width, height, !erodeFirst, out);
  return out;
}

describe('morphology SIMD module', () => {
  it('is valid WebAssembly and runs here (the filters take it unless switched off)', () => {
    expect(hasSimd()).toBe(true);
    expect(validate(morphologyModule())).toBe(true);
    const mask = grid('1 1 1 0', '1 1 1 0', '1 1 1 1');
    const out = new Uint8Array(12).fill(7);
    expect(morphologySimd('open', mask, 4, 3, out)).toBe(true);
    expect(Array.from(out)).toEqual(Array.from(grid('1 1 1 0', '1 1 1 0', '1 1 1 0')));
    setMorphologySimd(false);
    try {
      expect(morphologySimd('open', mask, 4, 3, out)).toBe(false);
    } finally {
      setMorphologySimd(true);
    }
  });
});

// Every filter runs on the WebAssembly SIMD kernel where the engine has SIMD (this one does: see
// wasm/builder.test.ts), and on the JavaScript kernel otherwise: both are held to the reference.
for (const simd of [true, false]) {
  describe(`morphology vs reference (${simd ? 'WebAssembly SIMD' : 'JavaScript'} kernel)`, () => {
    beforeAll(() => setMorphologySimd(simd));
    afterAll(() => setMorphologySimd(true));

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
        close3x3(mask, width, height, new Uint8Array(pixels), got);
        expect(Array.from(got)).toEqual(Array.from(referenceTwoStage(mask, width, height, false)));
      }
    });

    it('matches on odd shapes, word boundaries, unaligned views, edge-touching masks and values > 1', () => {
      const random = mulberry32(2024);
      // widths around the 4-, 16- and 32-pixel word and vector sizes, single rows and columns
      const widths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 36, 47, 48, 49, 63, 64, 65, 100, 129];
      const heights = [1, 2, 3, 4, 7, 16];
      for (const width of widths) {
        for (const height of heights) {
          const pixels = width * height;
          for (const variant of ['noise', 'dense', 'frame', 'values'] as const) {
            const offset = randomInt(random, 0, 7);
            const mask = view(pixels, offset);
            for (let i = 0; i < pixels; i++) {
              const x = i % width;
              const y = (i - x) / width;
              const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1;
              mask[i] =
                variant === 'noise'
                  ? random() < 0.5 ? 1 : 0
                  : variant === 'dense'
                    ? random() < 0.9 ? 1 : 0
                    : variant === 'frame'
                      ? edge || random() < 0.2 ? 1 : 0
                      : random() < 0.6 ? randomInt(random, 1, 255) : 0;
            }
            const got = view(pixels, randomInt(random, 0, 7));
            const want = new Uint8Array(pixels);
            erode3x3(mask, width, height, got);
            referenceMorphology(mask, width, height, true, want);
            expect(Array.from(got), `erode ${width}×${height} ${variant}`).toEqual(Array.from(want));
            dilate3x3(mask, width, height, got);
            referenceMorphology(mask, width, height, false, want);
            expect(Array.from(got), `dilate ${width}×${height} ${variant}`).toEqual(Array.from(want));
            open3x3(mask, width, height, view(pixels, offset), got);
            expect(Array.from(got), `open ${width}×${height} ${variant}`).toEqual(
              Array.from(referenceTwoStage(mask, width, height, true)),
            );
            close3x3(mask, width, height, view(pixels, offset), got);
            expect(Array.from(got), `close ${width}×${height} ${variant}`).toEqual(
              Array.from(referenceTwoStage(mask, width, height, false)),
            );
          }
        }
      }
    });

    it('matches on larger masks: several vectors a row, blobs and noise', () => {
      const random = mulberry32(91);
      for (const [width, height] of [[257, 131], [512, 64], [95, 300]] as const) {
        for (const mask of [blobMask(random, width, height, 0.1, 0.01), noiseMask(random, width, height, 0.7)]) {
          const pixels = width * height;
          const got = new Uint8Array(pixels);
          const want = new Uint8Array(pixels);
          erode3x3(mask, width, height, got);
          referenceMorphology(mask, width, height, true, want);
          expect(got).toEqual(want);
          dilate3x3(mask, width, height, got);
          referenceMorphology(mask, width, height, false, want);
          expect(got).toEqual(want);
          open3x3(mask, width, height, new Uint8Array(pixels), got);
          expect(got).toEqual(referenceTwoStage(mask, width, height, true));
          close3x3(mask, width, height, new Uint8Array(pixels), got);
          expect(got).toEqual(referenceTwoStage(mask, width, height, false));
        }
      }
    });

    it('writes every output byte (garbage in out is overwritten)', () => {
      const random = mulberry32(7);
      for (const [width, height] of [[64, 9], [37, 5], [1, 6], [8, 1]] as const) {
        const mask = noiseMask(random, width, height, 0.1);
        for (const kernel of [
          (out: Uint8Array) => erode3x3(mask, width, height, out),
          (out: Uint8Array) => dilate3x3(mask, width, height, out),
          (out: Uint8Array) => open3x3(mask, width, height, new Uint8Array(width * height), out),
          (out: Uint8Array) => close3x3(mask, width, height, new Uint8Array(width * height), out),
        ]) {
          const clean = new Uint8Array(width * height);
          const dirty = new Uint8Array(width * height).fill(9);
          kernel(clean);
          kernel(dirty);
          expect(Array.from(dirty)).toEqual(Array.from(clean));
        }
      }
    });
  });
}
