import { describe, expect, it } from 'vitest';
import { encodeUint8GeoTiff, assembleUint8GeoTiff } from '../raster/index.js';
import { mulberry32, randomInt } from '../kernels/test-random.js';
import { joinStrips, StripEncoder } from './change-strips.js';

describe('strip-by-strip change.tif encoding', () => {
  it('gives the bytes of encodeUint8GeoTiff however the rows are split into runs and pushes', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 30; trial++) {
      const width = randomInt(random, 1, 3000);
      const height = randomInt(random, 1, 400);
      const data = new Uint8Array(width * height);
      for (let i = 0; i < data.length; i++) data[i] = random() < 0.1 ? 1 : random() < 0.05 ? 255 : 0;
      const compress = trial % 3 === 0 ? 'none' : 'deflate';
      const options = { width, height, geoTransform: [500000, 2, 0, 3600000, 0, -2] as [number, number, number, number, number, number], epsg: 32650, nodata: 255, compress } as const;
      // cut [0, height) into 1..4 runs, each pushed in chunks of random size
      const cuts = [0, ...Array.from({ length: randomInt(random, 0, 3) }, () => randomInt(random, 1, height - 1)).filter((c) => c > 0 && c < height), height];
      const bounds = [...new Set(cuts)].sort((a, b) => a - b);
      const runs = [];
      for (let k = 0; k + 1 < bounds.length; k++) {
        const encoder = new StripEncoder(width, height, compress, bounds[k]!, bounds[k + 1]!);
        for (let row = bounds[k]!; row < bounds[k + 1]!; ) {
          const count = Math.min(bounds[k + 1]! - row, randomInt(random, 1, 200));
          encoder.push(data.subarray(row * width, (row + count) * width), count);
          row += count;
        }
        runs.push(encoder.finish());
      }
      const joined = assembleUint8GeoTiff(options, joinStrips(width, height, compress, runs.reverse()));
      expect(Buffer.from(joined).equals(Buffer.from(encodeUint8GeoTiff({ ...options, data }))), `trial ${trial}: ${width}x${height} runs ${bounds.join(',')}`).toBe(true);
    }
  });

  it('refuses rows past its run and a run that ends early', () => {
    const encoder = new StripEncoder(10, 10, 'none', 0, 2);
    expect(() => encoder.push(new Uint8Array(30), 3)).toThrow(/past the end/);
    const short = new StripEncoder(10, 10, 'none', 0, 5);
    short.push(new Uint8Array(20), 2);
    expect(() => short.finish()).toThrow(/ended at row 2/);
  });
});
