/**
 * A 5×7 bitmap font designed for shoutu's evidence captions. Captions are drawn as pixels into the
 * RGB buffer rather than with system fonts (librsvg/Pango text depends on the installed fonts and their
 * versions), so the same caption gives the same PNG bytes on every machine.
 *
 * Each glyph is 7 rows of 5 columns, '#' = ink. Characters without a glyph are drawn as '?'.
 */

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Horizontal advance per character in glyph pixels (one column of spacing). */
export const GLYPH_ADVANCE = GLYPH_WIDTH + 1;

const GLYPH_ROWS: Record<string, string> = {
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  a: '..... ..... .###. ....# .#### #...# .####',
  b: '#.... #.... #.##. ##..# #...# #...# ####.',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  f: '..##. .#..# .#... ###.. .#... .#... .#...',
  g: '..... .#### #...# #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  j: '...#. ..... ..##. ...#. ...#. #..#. .##..',
  k: '#.... #.... #..#. #.#.. ##... #.#.. #..#.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #...# #...#',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# ####. #.... #....',
  q: '..... ..... .##.# #..## .#### ....# ....#',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .###. #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
  v: '..... ..... #...# #...# #...# .#.#. ..#..',
  w: '..... ..... #...# #...# #.#.# #.#.# .#.#.',
  x: '..... ..... #...# .#.#. ..#.. .#.#. #...#',
  y: '..... ..... #...# #...# .#### ....# .###.',
  z: '..... ..... ##### ...#. ..#.. .#... #####',
  '-': '..... ..... ..... .###. ..... ..... .....',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  '/': '....# ....# ...#. ..#.. .#... #.... #....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  _: '..... ..... ..... ..... ..... ..... #####',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '%': '##..# ##..# ...#. ..#.. .#... #..## #..##',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
};

/** Glyph bitmaps: GLYPH_WIDTH × GLYPH_HEIGHT bytes, 1 = ink, row-major. */
const GLYPHS: ReadonlyMap<string, Uint8Array> = new Map(
  Object.entries(GLYPH_ROWS).map(([ch, rows]) => {
    const lines = rows.split(' ');
    if (lines.length !== GLYPH_HEIGHT || lines.some((l) => l.length !== GLYPH_WIDTH)) throw new Error(`bitmap font: glyph '${ch}' is not ${GLYPH_WIDTH}×${GLYPH_HEIGHT}`);
    const bits = new Uint8Array(GLYPH_WIDTH * GLYPH_HEIGHT);
    lines.forEach((line, y) => {
      for (let x = 0; x < GLYPH_WIDTH; x++) bits[y * GLYPH_WIDTH + x] = line[x] === '#' ? 1 : 0;
    });
    return [ch, bits];
  }),
);

/** The bitmap drawn for a character ('?' when the font has no glyph for it). */
export function glyphOf(ch: string): Uint8Array {
  return GLYPHS.get(ch) ?? GLYPHS.get('?')!;
}

/** Width in output pixels of a text drawn at the given integer scale (no trailing spacing). */
export function textWidth(text: string, scale: number): number {
  const n = [...text].length;
  return n === 0 ? 0 : (n * GLYPH_ADVANCE - 1) * scale;
}

/**
 * Draws text into an interleaved 8-bit buffer (`channels` per pixel) with its top-left corner at
 * (x, y), each glyph pixel as a scale × scale block. Ink outside the buffer is clipped.
 */
export function drawText(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  x: number,
  y: number,
  text: string,
  colour: readonly number[],
  scale: number,
): void {
  let penX = x;
  for (const ch of text) {
    const glyph = glyphOf(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (glyph[gy * GLYPH_WIDTH + gx] !== 1) continue;
        fillRect(pixels, width, height, channels, penX + gx * scale, y + gy * scale, scale, scale, colour);
      }
    }
    penX += GLYPH_ADVANCE * scale;
  }
}

/** Fills a rectangle (clipped to the buffer) with a colour of `channels` components. */
export function fillRect(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: readonly number[],
): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w);
  const y1 = Math.min(height, y + h);
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const o = (py * width + px) * channels;
      for (let c = 0; c < channels; c++) pixels[o + c] = colour[c]!;
    }
  }
}
