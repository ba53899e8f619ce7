import { describe, expect, it } from 'vitest';
import { chooseScaleBar, legendLayout, withLegend } from './chip-legend.js';
import { metresPerPixelX } from './evidence.js';

describe('scale bar', () => {
  it('is the largest 1, 2 or 5 × 10^k metres that fits, its length the metres over the pixel size', () => {
    expect(chooseScaleBar(30 / 7, 115)).toEqual({ metres: 200, lengthPx: 47, label: '200 m' });
    expect(chooseScaleBar(10, 100)).toEqual({ metres: 1000, lengthPx: 100, label: '1 km' });
    expect(chooseScaleBar(30, 99)).toEqual({ metres: 2000, lengthPx: 67, label: '2 km' });
    expect(chooseScaleBar(0.05, 128)).toEqual({ metres: 5, lengthPx: 100, label: '5 m' });
    expect(chooseScaleBar(0.001, 128)).toEqual({ metres: 0.1, lengthPx: 100, label: '0.1 m' });
    for (let i = 0; i < 200; i++) {
      const mpp = 0.01 + ((i * 7919) % 1000) / 7;
      const maxPx = 20 + ((i * 104729) % 300);
      const bar = chooseScaleBar(mpp, maxPx);
      expect(bar.lengthPx).toBe(Math.max(1, Math.round(bar.metres / mpp)));
      expect(bar.metres).toBeLessThanOrEqual(maxPx * mpp * (1 + 1e-12));
      // The next round number up would not fit.
      const mantissa = Number(bar.metres.toExponential().split('e')[0]);
      const next = mantissa === 1 ? 2 : mantissa === 2 ? 5 : 10;
      expect((bar.metres / mantissa) * next).toBeGreaterThan(maxPx * mpp);
    }
    expect(() => chooseScaleBar(0, 10)).toThrow(/metres per pixel/);
  });

  it('measures ground metres on the ellipsoid: geographic lattices, UTM scale factor, Web Mercator sec φ', () => {
    const rad = Math.PI / 180;
    const e2 = (1 / 298.257222101) * (2 - 1 / 298.257222101);
    const n = (lat: number) => 6378137 / Math.sqrt(1 - e2 * Math.sin(lat * rad) ** 2);
    const geographic = { gridId: 'g', epsg: 4326, pixelWidth: 0.0001, pixelHeight: 0.0001, phaseX: 0, phaseY: 60, tileSize: 512 };
    expect(metresPerPixelX(geographic, 10, 0)).toBeCloseTo(n(60) * 0.5 * 0.0001 * rad, 9);
    // UTM 51N central meridian (123° E) at the equator: the grid is 0.9996 of the ground.
    const utm = { gridId: 'u', epsg: 32651, pixelWidth: 30, pixelHeight: 30, phaseX: 500000, phaseY: 0, tileSize: 512 };
    expect(metresPerPixelX(utm, 0, 0) / (30 / 0.9996)).toBeCloseTo(1, 6);
    // Web Mercator at 60° N (spherical y → latitude): its metres are about twice the ground metres.
    const y60 = 6378137 * Math.log(Math.tan(Math.PI / 4 + Math.PI / 6));
    const mercator = { gridId: 'm', epsg: 3857, pixelWidth: 10, pixelHeight: 10, phaseX: 0, phaseY: y60, tileSize: 512 };
    expect(metresPerPixelX(mercator, 0, 0)).toBeCloseTo((n(60) / 6378137) * 5, 6);
  });
});

describe('legend', () => {
  it('is drawn under the image, which keeps its pixels', () => {
    const image = new Uint8Array(60 * 40 * 3).map((_, i) => i % 251);
    const canvas = withLegend(image, 60, 40, { title: 'AFTER 2003-02-06', subtitle: 'Landsat 7 ETM+', note: '321202-x-2003-02-0123456789ab' }, 30);
    expect(canvas.width).toBeGreaterThan(60);
    for (let y = 0; y < 40; y++) expect([...canvas.rgb.subarray(y * canvas.width * 3, y * canvas.width * 3 + 180)]).toEqual([...image.subarray(y * 180, (y + 1) * 180)]);
    expect(canvas.layout).toEqual(legendLayout(60, 40, { title: 'AFTER 2003-02-06', subtitle: 'Landsat 7 ETM+', note: '321202-x-2003-02-0123456789ab' }, 30));
    expect(canvas.layout.title.y).toBeGreaterThanOrEqual(40);
  });
});
