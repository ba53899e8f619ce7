import { describe, expect, it } from 'vitest';
import { exclusiveLayers } from './extract-patches.js';
import { MASK_LAYERS } from './parameters.js';
import { mulberry32 } from '../kernels/test-random.js';

describe('exclusiveLayers', () => {
  const farmland = 1 << MASK_LAYERS.indexOf('farmland');
  const redline = 1 << MASK_LAYERS.indexOf('redline');
  const reference = (c: number) => (c & redline ? c & ~farmland : c);

  it('clears farmland where the red line lies, and nothing else, for any bytes, length and alignment', () => {
    const rand = mulberry32(41);
    for (const length of [0, 1, 3, 4, 5, 8, 255, 4096 + 3]) {
      for (const offset of [0, 1, 2, 3, 4]) {
        const buffer = new Uint8Array(length + 8);
        for (let i = 0; i < buffer.length; i++) buffer[i] = Math.floor(rand() * 256);
        const classes = buffer.subarray(offset, offset + length);
        const out = new Uint8Array(length + 8).fill(0xee).subarray(offset % 2, (offset % 2) + length);
        exclusiveLayers(classes, out);
        for (let i = 0; i < length; i++) {
          if (out[i] !== reference(classes[i]!)) throw new Error(`length ${length}, offset ${offset}: byte ${i} of ${classes[i]} is ${out[i]}`);
        }
      }
    }
    // the cases that matter, spelled out
    const out = exclusiveLayers(Uint8Array.of(0, farmland, redline, farmland | redline, 0, farmland | redline, farmland, 0), new Uint8Array(8));
    expect(Array.from(out)).toEqual([0, farmland, redline, redline, 0, redline, farmland, 0]);
  });
});
