import { describe, expect, it } from 'vitest';
import { makeLattice } from '../grid/lattice.js';
import type { GeoTransform } from '../raster/geotransform.js';
import { APPROX_MAX_ERROR_PX, gridToSource, sourceFootprint } from './grid-to-source.js';
import { transformCoords } from './crs.js';

interface Case {
  name: string;
  grid: ReturnType<typeof makeLattice>;
  epsg: number;
  gt: GeoTransform;
  /** grid window to check */
  col: number;
  row: number;
  width: number;
  height: number;
}

const CASES: Case[] = [
  // UTM 51N source, Gauss–Krüger CM 120E grid, 2.5° from the UTM zone's meridian: 10 m pixels, 2 km runs
  { name: 'UTM 51N onto GK CM 120E', grid: makeLattice(4549, 8, 8, 3, 5, 512), epsg: 32651, gt: [270_003, 10, 0, 3_468_007, 0, -10], col: 69_400, row: -433_400, width: 600, height: 40 },
  // CGCS2000 geographic source (0.0001° pixels) onto a 6-degree GK grid: strongly non-linear, long runs
  { name: 'CGCS2000 lon/lat onto GK 6-degree zone 20', grid: makeLattice(4498, 10, 10, 0, 0, 512), epsg: 4490, gt: [118.5, 0.0001, 0, 32, 0, -0.0001], col: 2_045_000, row: -355_000, width: 4000, height: 8 },
  // Web Mercator drone mosaic (0.3 m) onto a 2 m UTM grid
  { name: 'Web Mercator onto UTM 50N', grid: makeLattice(32650, 2, 2, 0, 0, 512), epsg: 3857, gt: [13_358_000, 0.3, 0, 3_700_000, 0, -0.3], col: 380_000, row: -1_655_000, width: 3000, height: 6 },
];

/** Exact source pixel coordinates of a grid pixel centre, computed here from proj4 directly. */
function exact(c: Case, col: number, row: number): [number, number] {
  const p = new Float64Array([c.grid.phaseX + (col + 0.5) * c.grid.pixelWidth, c.grid.phaseY - (row + 0.5) * c.grid.pixelHeight]);
  transformCoords(c.grid.epsg, c.epsg, p);
  return [(p[0]! - c.gt[0]) / c.gt[1], (p[1]! - c.gt[3]) / c.gt[5]];
}

describe('gridToSource', () => {
  for (const c of CASES) {
    it(`approximates within ${APPROX_MAX_ERROR_PX} source pixel of the exact transform: ${c.name}`, () => {
      const t = gridToSource(c.grid, c.epsg, c.gt);
      expect(t.affine).toBe(false);
      const out = new Float64Array(2 * c.width);
      let worst = 0;
      for (let j = 0; j < c.height; j++) {
        t.row(c.col, c.row + j, c.width, out);
        for (let i = 0; i < c.width; i += 7) {
          const [u, v] = exact(c, c.col + i, c.row + j);
          worst = Math.max(worst, Math.hypot(out[2 * i]! - u, out[2 * i + 1]! - v));
        }
      }
      // measured: 0.002 px (UTM → GK), 0.11 px (lon/lat → GK), 0.098 px (Web Mercator → UTM)
      expect(worst).toBeLessThanOrEqual(APPROX_MAX_ERROR_PX);
      // exact mode (maxErrorPx 0) is the exact transform
      const e = gridToSource(c.grid, c.epsg, c.gt, 0);
      e.row(c.col, c.row, c.width, out);
      for (const i of [0, 1, 17, c.width - 1]) {
        const [u, v] = exact(c, c.col + i, c.row);
        expect(out[2 * i]).toBeCloseTo(u, 9);
        expect(out[2 * i + 1]).toBeCloseTo(v, 9);
      }
    });
  }

  it('is affine and exact within one CRS (other pixel size and phase)', () => {
    const grid = makeLattice(32651, 8, 8, 3, 5, 512);
    const t = gridToSource(grid, 32651, [203_325, 30, 0, 3_604_935, 0, -30]);
    expect(t.affine).toBe(true);
    const out = new Float64Array(6);
    t.row(25_416, -450_615, 3, out, 0);
    // grid pixel centre x = 3 + 25416.5 × 8 = 203335, y = 5 + 450614.5 × 8 = 3604921
    expect(Array.from(out)).toEqual([(203_335 - 203_325) / 30, (3_604_921 - 3_604_935) / -30, (203_343 - 203_325) / 30, (3_604_921 - 3_604_935) / -30, (203_351 - 203_325) / 30, (3_604_921 - 3_604_935) / -30]);
  });

  it('names an unknown CRS', () => {
    expect(() => gridToSource(makeLattice(4549, 8, 8, 0, 0, 512), 2193, [0, 1, 0, 0, 0, -1])).toThrow(/EPSG:2193 is not supported/);
  });
});

describe('sourceFootprint', () => {
  it('covers every grid pixel whose centre falls inside the source', () => {
    const c = CASES[0]!;
    const [w, h] = [300, 200];
    const fp = sourceFootprint(c.grid, c.epsg, c.gt, w, h)!;
    const t = gridToSource(c.grid, c.epsg, c.gt, 0);
    const out = new Float64Array(2 * (fp.width + 20));
    let inside = 0;
    for (let row = fp.row - 10; row < fp.row + fp.height + 10; row++) {
      t.row(fp.col - 10, row, fp.width + 20, out);
      for (let i = 0; i < fp.width + 20; i++) {
        const [u, v] = [out[2 * i]!, out[2 * i + 1]!];
        if (u >= 0 && u < w && v >= 0 && v < h) {
          inside++;
          const col = fp.col - 10 + i;
          expect(col >= fp.col && col < fp.col + fp.width && row >= fp.row && row < fp.row + fp.height).toBe(true);
        }
      }
    }
    // 3000 m × 2000 m at 8 m: about 93 750 grid pixels
    expect(inside).toBeGreaterThan(90_000);
    expect(fp.width * fp.height).toBeLessThan(1.1 * inside);
  });

  it('is the exact pixel window within one CRS', () => {
    expect(sourceFootprint(makeLattice(32651, 10, 10, 0, 0, 512), 32651, [1000, 30, 0, 5000, 0, -30], 4, 2)).toEqual({ col: 100, row: -500, width: 12, height: 6 });
  });
});
