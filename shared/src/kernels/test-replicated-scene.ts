import { mulberry32, randomInt } from './test-random.js';

/**
 * A 4-band test scene: band 0 native noise, band 1 replicated 2× in both directions, band 2 replicated 2×
 * along the rows with its phase shifting by one pixel every 80 columns (as a reprojected band's does),
 * band 3 nearly flat (values 12 or 13, as 8-bit water is).
 */
export function replicatedScene(width: number, height: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const n = width * height;
  const planar = new Float32Array(4 * n);
  const coarse = Float32Array.from({ length: n }, () => randomInt(random, 0, 1000));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      planar[i] = randomInt(random, 0, 1000);
      planar[n + i] = coarse[(y >> 1) * width + (x >> 1)]!;
      planar[2 * n + i] = coarse[y * width + ((x + Math.floor(x / 80)) >> 1)]!;
      planar[3 * n + i] = random() < 0.8 ? 12 : 13;
    }
  }
  return planar;
}
