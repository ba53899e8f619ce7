import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../kernels/test-random.js';
import { CHANGE_NODATA, writeTileChange } from './detect-pass.js';

describe('writeTileChange', () => {
  it('equals a pixel-by-pixel reference for tiles of every width mod 4, anywhere in their halo and their row', () => {
    const rand = mulberry32(91);
    for (let trial = 0; trial < 200; trial++) {
      const tileWidth = 1 + Math.floor(rand() * 23);
      const tileHeight = 1 + Math.floor(rand() * 9);
      const dx = Math.floor(rand() * 4);
      const dy = Math.floor(rand() * 4);
      const halo = { col: 100, row: 50, width: tileWidth + dx + Math.floor(rand() * 4), height: tileHeight + dy + Math.floor(rand() * 4) };
      const tile = { col: halo.col + dx, row: halo.row + dy, width: tileWidth, height: tileHeight };
      const n = halo.width * halo.height;
      const valid = Uint8Array.from({ length: n }, () => (rand() < 0.8 ? 1 : 0));
      // the decision is 0 wherever the pixel is invalid
      const decision = Uint8Array.from(valid, (v) => (v === 1 && rand() < 0.4 ? 1 : 0));
      const width = tileWidth + Math.floor(rand() * 9);
      const col = Math.floor(rand() * (width - tileWidth + 1));
      // an unaligned view into a larger buffer, as the reused change rows are
      const backing = new Uint8Array(width * tileHeight + 3).fill(7);
      const change = backing.subarray(1, 1 + width * tileHeight);
      const want = new Uint8Array(change);
      let wantValid = 0;
      let wantChanged = 0;
      for (let y = 0; y < tileHeight; y++) {
        for (let x = 0; x < tileWidth; x++) {
          const i = (y + dy) * halo.width + x + dx;
          want[y * width + col + x] = valid[i] ? decision[i]! : CHANGE_NODATA;
          wantValid += valid[i]!;
          wantChanged += decision[i]!;
        }
      }
      expect(writeTileChange(decision, valid, halo, tile, change, width, col)).toEqual({ valid: wantValid, changed: wantChanged });
      expect(Array.from(change)).toEqual(Array.from(want));
      expect([backing[0], backing[backing.length - 1]]).toEqual([7, 7]);
    }
  });
});
