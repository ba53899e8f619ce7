import { describe, expect, it } from 'vitest';
import { placeRaster } from '../grid/lattice.js';
import { mulberry32 } from '../kernels/test-random.js';
import { squareMetresToMu } from '../util/round.js';
import { summarizeCoverage, tileCoverage, unusableByEpoch, type TileCoverage } from './coverage.js';
import { pixelAreaM2 } from './pixel-area.js';

const { lattice } = placeRaster(32651, [200000, 30, 0, 3600000, 0, -30], 400, 400, 128);

describe('tileCoverage', () => {
  it('counts the usable pixels, and each layer\'s pixels and usable ones, as a per-pixel count does', () => {
    const random = mulberry32(71);
    for (const [width, height] of [[1, 1], [7, 3], [128, 128], [33, 90]] as const) {
      const n = width * height;
      const valid = Uint8Array.from({ length: n }, () => (random() < 0.7 ? 1 : 0));
      const classes = Uint8Array.from({ length: n }, () => Math.floor(random() * 4)); // bit 1 farmland, bit 2 red line
      const tile = { col: 10, row: 20, width, height };
      const c = tileCoverage(valid, classes, ['farmland', 'redline'], lattice, tile, undefined, { before: 3, after: 4 });
      let usable = 0;
      const layer = { farmland: { pixels: 0, examined: 0 }, redline: { pixels: 0, examined: 0 } };
      for (let i = 0; i < n; i++) {
        usable += valid[i]!;
        for (const [name, bit] of [['farmland', 1], ['redline', 2]] as const) {
          if ((classes[i]! & bit) === 0) continue;
          layer[name].pixels++;
          layer[name].examined += valid[i]!;
        }
      }
      expect(c).toEqual({ pixelAreaM2: pixelAreaM2(lattice, 10 + Math.floor(width / 2) + 0.5, 20 + Math.floor(height / 2) + 0.5), pixels: n, examined: usable, unusable: { before: 3, after: 4 }, layers: layer });
      // the usable count given is taken as it is
      expect(tileCoverage(valid, classes, [], lattice, tile, usable, { before: 0, after: 0 }).examined).toBe(usable);
      // only the layers named are counted
      expect(tileCoverage(valid, classes, ['redline'], lattice, tile, undefined, { before: 0, after: 0 }).layers).toEqual({ redline: layer.redline });
    }
  });
});

describe('unusableByEpoch', () => {
  it('counts the pixels not examined whose before, and whose after, epoch has a compared band unusable, as a per-pixel test does', () => {
    const random = mulberry32(5);
    const window = { col: 100, row: 50, width: 23, height: 17 };
    const tile = { col: 103, row: 53, width: 16, height: 11 };
    const plane = window.width * window.height;
    const bands = 4;
    const evidenceBands = [0, 2, 3]; // band 1 is not compared: its nodata does not count
    for (const kind of ['u16', 'f32'] as const) {
      const make = () => {
        const a = kind === 'u16' ? new Uint16Array(bands * plane) : new Float32Array(bands * plane);
        for (let i = 0; i < a.length; i++) {
          const r = random();
          a[i] = r < 0.04 ? 7 : r < 0.08 ? 8 : r < 0.1 && kind === 'f32' ? NaN : r < 0.12 && kind === 'f32' ? Infinity : 100 + Math.floor(random() * 900);
        }
        return a;
      };
      const before = make();
      const after = make();
      // nodata 7 before and 8 after (the 8s before and the 7s after are data); float32 samples without an after nodata
      const nodataAfter = kind === 'u16' ? 8 : null;
      const usable = (s: ArrayLike<number>, nodata: number | null, i: number) => evidenceBands.every((b) => Number.isFinite(s[b * plane + i]!) && s[b * plane + i] !== nodata);
      const valid = Uint8Array.from({ length: plane }, (_, i) => (usable(before, 7, i) && usable(after, nodataAfter, i) ? 1 : 0));
      let examined = 0;
      const expected = { before: 0, after: 0 };
      for (let y = 0; y < tile.height; y++) {
        for (let x = 0; x < tile.width; x++) {
          const i = (y + 3) * window.width + x + 3;
          examined += valid[i]!;
          if (valid[i] === 1) continue;
          if (!usable(before, 7, i)) expected.before++;
          if (!usable(after, nodataAfter, i)) expected.after++;
        }
      }
      const scored = { before, after, window, valid, model: { evidenceBands, nodataBefore: 7, nodataAfter } };
      const got = unusableByEpoch(scored, tile, examined);
      expect(got).toEqual(expected);
      expect(got.before).toBeGreaterThan(0);
      expect(got.after).toBeGreaterThan(0);
      // every pixel not examined is unusable in one epoch at least
      expect(got.before + got.after).toBeGreaterThanOrEqual(tile.width * tile.height - examined);
      // a tile all examined is not read at all
      expect(unusableByEpoch({ ...scored, before: new Float32Array(0), after: new Float32Array(0) }, tile, tile.width * tile.height)).toEqual({ before: 0, after: 0 });
    }
  });
});

describe('summarizeCoverage', () => {
  const tile = (pixels: number, examined: number, farmland: [number, number], area = 900, unusable = { before: 0, after: 0 }): TileCoverage => ({
    pixelAreaM2: area,
    pixels,
    examined,
    unusable,
    layers: { farmland: { pixels: farmland[0], examined: farmland[1] } },
  });

  it('sums the tiles\' ground in 亩, with the shares examined', () => {
    const s = summarizeCoverage([tile(100, 50, [10, 10]), tile(300, 300, [30, 0], 901)], ['farmland']);
    expect(s.mu).toBeCloseTo(squareMetresToMu(100 * 900 + 300 * 901), 4);
    expect(s.examinedMu).toBeCloseTo(squareMetresToMu(50 * 900 + 300 * 901), 4);
    expect(s.examinedShare).toBeCloseTo((50 * 900 + 300 * 901) / (100 * 900 + 300 * 901), 4);
    expect(s.farmland!.examinedShare).toBeCloseTo((10 * 900) / (10 * 900 + 30 * 901), 4);
    expect(s).not.toHaveProperty('redline');
    const split = summarizeCoverage([tile(100, 50, [0, 0], 900, { before: 20, after: 40 }), tile(10, 0, [0, 0], 901, { before: 10, after: 0 })], []);
    expect(split.beforeUnusableMu).toBeCloseTo(squareMetresToMu(20 * 900 + 10 * 901), 4);
    expect(split.afterUnusableMu).toBeCloseTo(squareMetresToMu(40 * 900), 4);
    // a tile of a detect result written before the split was recorded counts as none
    const older = summarizeCoverage([{ pixelAreaM2: 900, pixels: 4, examined: 2, layers: {} }], []);
    expect([older.beforeUnusableMu, older.afterUnusableMu]).toEqual([0, 0]);
  });

  it('calls ground with nothing in it examined in full, and counts a layer no tile holds as none', () => {
    expect(summarizeCoverage([], ['farmland'])).toEqual({ mu: 0, examinedMu: 0, examinedShare: 1, beforeUnusableMu: 0, afterUnusableMu: 0, farmland: { mu: 0, examinedMu: 0, examinedShare: 1 } });
    expect(summarizeCoverage([tile(4, 4, [0, 0])], ['redline']).redline).toEqual({ mu: 0, examinedMu: 0, examinedShare: 1 });
  });
});
