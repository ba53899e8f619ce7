import { describe, expect, it } from 'vitest';
import { intersect, placeRaster, tilesOf, windowGeoTransform } from './lattice.js';

describe('placeRaster', () => {
  it('puts the Taizhou scene on a 30 m lattice with a 15 m phase', () => {
    const p = placeRaster(32651, [203325, 30, 0, 3604935, 0, -30], 400, 400, 512);
    expect(p.lattice.gridId).toBe('epsg32651-30x30-p15_15-t512');
    expect(p.col0).toBe(6777);
    expect(p.row0).toBe(-120164);
    expect(windowGeoTransform(p.lattice, { col: p.col0, row: p.row0, width: 1, height: 1 })).toEqual([203325, 30, 0, 3604935, 0, -30]);
  });

  it('gives two epochs on the same grid the same lattice and cells', () => {
    const a = placeRaster(32651, [203325, 30, 0, 3604935, 0, -30], 400, 400, 512);
    const b = placeRaster(32651, [203325 + 300, 30, 0, 3604935 - 600, 0, -30], 100, 100, 512);
    expect(b.lattice).toEqual(a.lattice);
    expect(b.col0 - a.col0).toBe(10);
    expect(b.row0 - a.row0).toBe(20);
  });

  it('handles negative coordinates and fractional pixel sizes', () => {
    const p = placeRaster(4326, [-0.25, 0.5, 0, 1.25, 0, -0.5], 2, 2, 4);
    expect(p.lattice.phaseX).toBe(0.25);
    expect(p.lattice.phaseY).toBe(0.25);
    expect(p.col0).toBe(-1);
    expect(p.row0).toBe(-2);
    expect(p.lattice.gridId).toBe('epsg4326-0d5x0d5-p0d25_0d25-t4');
  });
});

describe('tilesOf', () => {
  it('cuts a raster that straddles tile edges into the covered parts, row-major', () => {
    const p = placeRaster(32651, [203325, 30, 0, 3604935, 0, -30], 400, 400, 512);
    const cells = tilesOf(p);
    // columns 6777..7176 → tiles 13 (6656..7167) and 14; rows -120164..-119765 → tiles -235 (-120320..-119809) and -234
    expect(cells.map((c) => c.tileId)).toEqual(['13_m235', '14_m235', '13_m234', '14_m234']);
    expect(cells[0]!.window).toEqual({ col: 6777, row: -120164, width: 391, height: 356 });
    expect(cells[3]!.window).toEqual({ col: 7168, row: -119808, width: 9, height: 44 });
    const area = cells.reduce((s, c) => s + c.window.width * c.window.height, 0);
    expect(area).toBe(400 * 400);
  });
});

describe('intersect', () => {
  it('returns null for windows that only touch', () => {
    expect(intersect({ col: 0, row: 0, width: 2, height: 2 }, { col: 2, row: 0, width: 2, height: 2 })).toBeNull();
    expect(intersect({ col: 0, row: 0, width: 3, height: 3 }, { col: 2, row: 1, width: 2, height: 5 })).toEqual({ col: 2, row: 1, width: 1, height: 2 });
  });
});
