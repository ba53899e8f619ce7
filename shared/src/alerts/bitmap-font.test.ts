import { describe, expect, it } from 'vitest';
import { drawText, glyphOf, GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, textWidth } from './bitmap-font.js';

const REQUIRED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-:./ +';

describe('bitmap font', () => {
  it('has a distinct glyph for every character captions need', () => {
    const question = glyphOf('?').join('');
    const seen = new Map<string, string>();
    for (const ch of REQUIRED) {
      const bits = glyphOf(ch).join('');
      if (ch !== ' ') expect(bits, `glyph '${ch}'`).not.toBe(question);
      expect(seen.get(bits), `glyph '${ch}' duplicates '${seen.get(bits)}'`).toBeUndefined();
      seen.set(bits, ch);
    }
  });

  it('draws unknown characters as ?', () => {
    expect(glyphOf('图')).toEqual(glyphOf('?'));
  });

  it('draws each glyph pixel as a scale × scale block at the pen position, clipped to the buffer', () => {
    const W = 40;
    const H = 20;
    const rgb = new Uint8Array(W * H * 3);
    drawText(rgb, W, H, 3, 1, 2, '07', [200, 100, 50], 2);
    expect(textWidth('07', 2)).toBe((2 * GLYPH_ADVANCE - 1) * 2);
    for (const [k, ch] of ['0', '7'].entries()) {
      const glyph = glyphOf(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          for (const [dx, dy] of [[0, 0], [1, 1]] as const) {
            const x = 1 + k * GLYPH_ADVANCE * 2 + gx * 2 + dx;
            const y = 2 + gy * 2 + dy;
            const o = (y * W + x) * 3;
            expect([rgb[o], rgb[o + 1], rgb[o + 2]]).toEqual(glyph[gy * GLYPH_WIDTH + gx] === 1 ? [200, 100, 50] : [0, 0, 0]);
          }
        }
      }
    }
    expect(() => drawText(rgb, W, H, 3, 35, 15, 'WWW', [1, 1, 1], 2)).not.toThrow();
  });
});
