import { describe, expect, it } from 'vitest';
import { fillPolygon } from './rasterize-polygon.js';

type Ring = [number, number][];

/** Fills one polygon (rings in pixel coordinates) onto a fresh width×height grid. */
function fill(rings: Ring[], width: number, height: number, value = 1, out = new Uint8Array(width * height)): Uint8Array {
  const total = rings.reduce((n, r) => n + r.length, 0);
  const coords = new Float64Array(total * 2);
  const starts = new Uint32Array(rings.length + 1);
  let v = 0;
  rings.forEach((r, k) => {
    starts[k] = v;
    for (const [x, y] of r) {
      coords[2 * v] = x;
      coords[2 * v + 1] = y;
      v++;
    }
  });
  starts[rings.length] = v;
  fillPolygon(coords, starts, rings.length, width, height, value, out, new Float64Array(total));
  return out;
}

/** Grid as text rows ('#' = non-zero, '.' = zero) for readable expectations. */
function picture(out: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let y = 0; y < out.length / width; y++) {
    rows.push(Array.from(out.subarray(y * width, (y + 1) * width), (v) => (v ? '#' : '.')).join(''));
  }
  return rows;
}

describe('fillPolygon', () => {
  it('fills a square whose edges lie on pixel edges', () => {
    expect(picture(fill([[[1, 1], [4, 1], [4, 3], [1, 3]]], 6, 5), 6)).toEqual([
      '......',
      '.###..',
      '.###..',
      '......',
      '......',
    ]);
  });

  it('accepts a closing vertex and either orientation', () => {
    const open = fill([[[1, 1], [4, 1], [4, 3], [1, 3]]], 6, 5);
    expect(fill([[[1, 1], [4, 1], [4, 3], [1, 3], [1, 1]]], 6, 5)).toEqual(open);
    expect(fill([[[1, 3], [4, 3], [4, 1], [1, 1]]], 6, 5)).toEqual(open);
  });

  it('leaves holes empty (even-odd)', () => {
    expect(
      picture(
        fill(
          [
            [[0, 0], [7, 0], [7, 6], [0, 6]],
            [[2, 2], [5, 2], [5, 4], [2, 4]],
          ],
          7,
          6,
        ),
        7,
      ),
    ).toEqual(['#######', '#######', '##...##', '##...##', '#######', '#######']);
  });

  it('fills a triangle by pixel centres', () => {
    // right triangle (0,0) (8,0) (0,8): centre (i+.5, j+.5) inside when i + j + 1 < 8, i.e. i + j <= 6
    // (centres with i + j = 7 lie exactly on the hypotenuse: right boundary, outside)
    const out = fill([[[0, 0], [8, 0], [0, 8]]], 8, 8);
    expect(picture(out, 8)).toEqual([
      '#######.',
      '######..',
      '#####...',
      '####....',
      '###.....',
      '##......',
      '#.......',
      '........',
    ]);
    // a triangle with no tie: apex (4.2, 0.3), base (0.4, 5.6)-(7.9, 5.6); rows 0..5 have centres in [0.3, 5.6)
    // row 1 (yc 1.5): edges cross at x = 3.34 and 5.04 -> centres 3.5, 4.5; row 5: 0.47 .. 7.83 -> 0.5 .. 7.5
    expect(picture(fill([[[4.2, 0.3], [7.9, 5.6], [0.4, 5.6]]], 9, 7), 9)).toEqual([
      '.........',
      '...##....',
      '...###...',
      '..####...',
      '.######..',
      '########.',
      '.........',
    ]);
  });

  it('clips polygons that extend past the window', () => {
    expect(picture(fill([[[-3, -2], [3, -2], [3, 2], [-3, 2]]], 5, 4), 5)).toEqual(['###..', '###..', '.....', '.....']);
    expect(picture(fill([[[2.6, 1], [100, 1], [100, 1e6], [2.6, 1e6]]], 5, 4), 5)).toEqual(['.....', '...##', '...##', '...##']);
    // entirely outside: nothing, no error
    expect(fill([[[10, 10], [20, 10], [20, 20]]], 5, 4).every((v) => v === 0)).toBe(true);
    expect(fill([[[-20, -20], [-10, -20], [-10, -10]]], 5, 4).every((v) => v === 0)).toBe(true);
  });

  it('applies the half-open tie rule to vertices on pixel centres', () => {
    // square with all edges through pixel centres: x in [0.5, 2.5], y in [0.5, 2.5]
    // rows: crossing counted when y0 <= yc < y1 -> yc = 0.5, 1.5 (rows 0, 1), not 2.5
    // columns: xL <= xc < xR -> xc = 0.5, 1.5 (columns 0, 1), not 2.5
    expect(picture(fill([[[0.5, 0.5], [2.5, 0.5], [2.5, 2.5], [0.5, 2.5]]], 4, 4), 4)).toEqual(['##..', '##..', '....', '....']);
    // a diamond with vertices on centres: (2.5,0.5) (4.5,2.5) (2.5,4.5) (0.5,2.5)
    // row 0: both crossings at 2.5 -> empty; row 2: crossings 0.5 and 4.5 -> centres 0.5..3.5 (left vertex in, right out)
    expect(picture(fill([[[2.5, 0.5], [4.5, 2.5], [2.5, 4.5], [0.5, 2.5]]], 5, 5), 5)).toEqual(['.....', '.##..', '####.', '.##..', '.....']);
  });

  it('partitions: polygons sharing edges claim every pixel exactly once', () => {
    // a 10x10 square cut along a zig-zag line through pixel centres and corners into two polygons
    const cut: [number, number][] = [[0, 2.5], [2.5, 2.5], [4.5, 6.5], [7.5, 3.5], [10, 3.5]];
    const top: Ring = [[0, 0], [10, 0], ...[...cut].reverse()];
    const bottom: Ring = [...cut, [10, 10], [0, 10]];
    const out = new Uint8Array(100);
    fill([top], 10, 10, 1, out);
    fill([bottom], 10, 10, 2, out);
    expect(Array.from(out).every((v) => v === 1 || v === 2)).toBe(true);
  });

  it('ORs the value into the output', () => {
    const out = new Uint8Array(4).fill(4);
    fill([[[0, 0], [1, 0], [1, 1], [0, 1]]], 2, 2, 3, out);
    expect(Array.from(out)).toEqual([7, 4, 4, 4]);
  });

  it('handles degenerate input', () => {
    expect(fill([[[1, 1], [3, 1], [2, 1]]], 4, 4).every((v) => v === 0)).toBe(true); // zero area
    expect(fill([[[1, 1], [3, 1]]], 4, 4).every((v) => v === 0)).toBe(true); // two vertices
    expect(fill([[[0, 0], [Number.NaN, 2], [4, 4]]], 4, 4).length).toBe(16); // no throw
    const out = new Uint8Array(16);
    fillPolygon(new Float64Array(0), new Uint32Array([0]), 0, 4, 4, 1, out, new Float64Array(0));
    expect(out.every((v) => v === 0)).toBe(true);
    expect(() => fillPolygon(new Float64Array(4), new Uint32Array([0, 4]), 1, 4, 4, 1, out, new Float64Array(4))).toThrow(RangeError);
    expect(() => fillPolygon(new Float64Array(8), new Uint32Array([0, 4]), 1, 4, 4, 1, out, new Float64Array(2))).toThrow(RangeError);
  });

  it('agrees with a point-in-polygon reference on random polygons (incl. many crossings per row)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const W = 37;
    const H = 29;
    for (let trial = 0; trial < 60; trial++) {
      const rings: Ring[] = [];
      const ringCount = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < ringCount; k++) {
        const n = 3 + Math.floor(rand() * (trial % 3 === 0 ? 60 : 10));
        const ring: Ring = [];
        for (let i = 0; i < n; i++) ring.push([rand() * (W + 10) - 5, rand() * (H + 10) - 5]);
        rings.push(ring);
      }
      const out = fill(rings, W, H);
      for (let j = 0; j < H; j++) {
        for (let i = 0; i < W; i++) {
          const xc = i + 0.5;
          const yc = j + 0.5;
          let crossings = 0;
          for (const ring of rings) {
            for (let v = 0; v < ring.length; v++) {
              const [xa, ya] = ring[v === 0 ? ring.length - 1 : v - 1]!;
              const [xb, yb] = ring[v]!;
              if ((ya <= yc && yc < yb) || (yb <= yc && yc < ya)) {
                const x = xa + ((yc - ya) * (xb - xa)) / (yb - ya);
                if (x <= xc) crossings++;
              }
            }
          }
          expect(out[j * W + i], `trial ${trial} pixel ${i},${j}`).toBe(crossings % 2);
        }
      }
    }
  });
});
