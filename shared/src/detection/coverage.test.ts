import { describe, expect, it } from 'vitest';
import { placeRaster } from '../grid/lattice.js';
import { mulberry32 } from '../kernels/test-random.js';
import { squareMetresToMu } from '../util/round.js';
import { summarizeCoverage, tileCoverage, type TileCoverage } from './coverage.js';
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
      const c = tileCoverage(valid, classes, ['farmland', 'redline'], lattice, tile);
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
      expect(c).toEqual({ pixelAreaM2: pixelAreaM2(lattice, 10 + Math.floor(width / 2) + 0.5, 20 + Math.floor(height / 2) + 0.5), pixels: n, examined: usable, layers: layer });
      // only the layers named are counted
      expect(tileCoverage(valid, classes, ['redline'], lattice, tile).layers).toEqual({ redline: layer.redline });
    }
  });
});

describe('summarizeCoverage', () => {
  const tile = (pixels: number, examined: number, farmland: [number, number], area = 900): TileCoverage => ({
    pixelAreaM2: area,
    pixels,
    examined,
    layers: { farmland: { pixels: farmland[0], examined: farmland[1] } },
  });

  it('sums the tiles\' ground in 亩, with the shares examined', () => {
    const s = summarizeCoverage([tile(100, 50, [10, 10]), tile(300, 300, [30, 0], 901)], ['farmland']);
    expect(s.mu).toBeCloseTo(squareMetresToMu(100 * 900 + 300 * 901), 4);
    expect(s.examinedMu).toBeCloseTo(squareMetresToMu(50 * 900 + 300 * 901), 4);
    expect(s.examinedShare).toBeCloseTo((50 * 900 + 300 * 901) / (100 * 900 + 300 * 901), 4);
    expect(s.farmland!.examinedShare).toBeCloseTo((10 * 900) / (10 * 900 + 30 * 901), 4);
    expect(s).not.toHaveProperty('redline');
  });

  it('calls ground with nothing in it examined in full, and counts a layer no tile holds as none', () => {
    expect(summarizeCoverage([], ['farmland'])).toEqual({ mu: 0, examinedMu: 0, examinedShare: 1, farmland: { mu: 0, examinedMu: 0, examinedShare: 1 } });
    expect(summarizeCoverage([tile(4, 4, [0, 0])], ['redline']).redline).toEqual({ mu: 0, examinedMu: 0, examinedShare: 1 });
  });
});
