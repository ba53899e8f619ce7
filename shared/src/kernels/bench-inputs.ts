/**
 * Seeded, realistic benchmark inputs shared by the `*.bench.ts` modules (generated once per
 * process and cached; benchmark-only code).
 *
 * Imagery: 2048×2048, 4 bands (blue, green, red, nir), band-sequential Float32 in Sentinel-2 L2A
 * style scaled reflectance (0..10000). The scene is a grid of 64×64-px fields of five cover
 * types with per-field and per-pixel variation; the second epoch has a seasonal gain/offset,
 * ~5 % of pixels converted to built-up or bare soil in blob-shaped patches, a nodata (−9999)
 * triangle along one corner (scene edge) and a sprinkling of NaN samples.
 * Masks: a sparse blob mask (~5 % change patches plus 0.2 % speckle) and 50 % white noise.
 */

import { blobMask, mulberry32, noiseMask } from './test-random.js';

export const BENCH_WIDTH = 2048;
export const BENCH_HEIGHT = 2048;
export const BENCH_BANDS = 4;
export const BENCH_NODATA = -9999;
export const BENCH_NODATA_UINT16 = 0;
export const BENCH_RED_BAND = 2;
export const BENCH_NIR_BAND = 3;
export const BENCH_PIXELS = BENCH_WIDTH * BENCH_HEIGHT;

export interface BenchImagePair {
  before: Float32Array;
  after: Float32Array;
}

export interface BenchMasks {
  /** ~5 % blob-shaped change patches + 0.2 % single-pixel speckle */
  sparse: Uint8Array;
  /** each pixel set with probability 0.5 */
  noise: Uint8Array;
}

// Typical reflectance ×10000 per cover type, bands blue, green, red, nir.
const COVER = [
  [400, 700, 600, 3500], // crop
  [1200, 1500, 1800, 2500], // bare soil
  [600, 500, 300, 150], // water
  [1500, 1600, 1700, 2000], // built-up
  [300, 500, 350, 3000], // forest
] as const;
const FIELD = 64;

let imagePair: BenchImagePair | undefined;
let masks: BenchMasks | undefined;
let imagePairUint16: { before: Uint16Array; after: Uint16Array } | undefined;

/** The cached benchmark image pair (generated on first use, seed fixed). */
export function benchImagePair(): BenchImagePair {
  if (imagePair) return imagePair;
  const random = mulberry32(20250101);
  const width = BENCH_WIDTH;
  const height = BENCH_HEIGHT;
  const pixels = BENCH_PIXELS;
  const fieldsX = Math.ceil(width / FIELD);
  const fieldsY = Math.ceil(height / FIELD);
  const fieldCover = Uint8Array.from({ length: fieldsX * fieldsY }, () => Math.floor(random() * COVER.length));
  const fieldGain = Float32Array.from({ length: fieldsX * fieldsY }, () => 0.85 + 0.3 * random());
  const changed = blobMask(random, width, height, 0.05, 0);

  const before = new Float32Array(BENCH_BANDS * pixels);
  const after = new Float32Array(BENCH_BANDS * pixels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const field = Math.floor(y / FIELD) * fieldsX + Math.floor(x / FIELD);
      const cover = COVER[fieldCover[field]];
      const newCover = changed[i] === 1 ? COVER[(x ^ y) & 1 ? 3 : 1] : cover;
      const gain = fieldGain[field];
      const edge = x + y < 300;
      for (let b = 0; b < BENCH_BANDS; b++) {
        before[b * pixels + i] = Math.round(cover[b] * gain + (random() - 0.5) * 120);
        after[b * pixels + i] = edge ? BENCH_NODATA : Math.round(newCover[b] * gain * 1.08 + 90 + (random() - 0.5) * 120);
      }
    }
  }
  for (let k = 0; k < 400; k++) before[Math.floor(random() * before.length)] = NaN;
  imagePair = { before, after };
  return imagePair;
}

/**
 * The benchmark pair as a sensor delivers it: Uint16 samples with nodata 0 (the float pair's NaN and
 * −9999 samples become 0; every other sample is a positive integer below 2^16, so both pairs describe
 * the same pixels and the change pass gives the same result on either).
 */
export function benchImagePairUint16(): { before: Uint16Array; after: Uint16Array } {
  if (imagePairUint16) return imagePairUint16;
  const { before, after } = benchImagePair();
  const convert = (planar: Float32Array) => Uint16Array.from(planar, (v) => (v === BENCH_NODATA || Number.isNaN(v) ? BENCH_NODATA_UINT16 : v));
  imagePairUint16 = { before: convert(before), after: convert(after) };
  return imagePairUint16;
}

/** The cached benchmark masks (generated on first use, seed fixed). */
export function benchMasks(): BenchMasks {
  if (masks) return masks;
  const random = mulberry32(5);
  masks = {
    sparse: blobMask(random, BENCH_WIDTH, BENCH_HEIGHT, 0.05, 0.002),
    noise: noiseMask(random, BENCH_WIDTH, BENCH_HEIGHT, 0.5),
  };
  return masks;
}
