import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../kernels/test-random.js';
import { unpackMaskBits } from './mask-bits.js';

describe('unpackMaskBits', () => {
  it('gives each pixel its bit, the first pixel of a byte in the top bit, for every start bit and width', () => {
    const random = mulberry32(11);
    for (const rowBytes of [1, 2, 3, 9]) {
      const height = 3;
      const bytes = Uint8Array.from({ length: rowBytes * height }, () => Math.floor(random() * 256));
      for (let x0 = 0; x0 < 8; x0++) {
        for (let width = 0; x0 + width <= rowBytes * 8; width++) {
          const out = new Uint8Array(width * height).fill(9);
          unpackMaskBits(bytes, rowBytes, x0, width, height, out);
          for (let r = 0; r < height; r++) {
            for (let i = 0; i < width; i++) {
              const bitString = bytes[r * rowBytes + ((x0 + i) >> 3)]!.toString(2).padStart(8, '0');
              expect(out[r * width + i]).toBe(Number(bitString[(x0 + i) & 7]));
            }
          }
        }
      }
    }
  });

  it('refuses a window its rows do not hold', () => {
    expect(() => unpackMaskBits(new Uint8Array(2), 1, 3, 6, 2, new Uint8Array(12))).toThrow(RangeError);
    expect(() => unpackMaskBits(new Uint8Array(1), 1, 0, 8, 2, new Uint8Array(16))).toThrow(RangeError);
    expect(() => unpackMaskBits(new Uint8Array(2), 1, 8, 0, 2, new Uint8Array(0))).toThrow(RangeError);
  });
});
