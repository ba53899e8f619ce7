/**
 * Seeded pseudo-random test data for the kernel tests and benchmarks (not used in production).
 *
 * Generator: mulberry32 (Tommy Ettinger's 32-bit generator, public domain), tiny, fast and good
 * enough to drive property tests; every helper takes the generator so a failing case can be
 * reproduced from its seed. Layouts follow the kernels: masks are Uint8Array(width*height)
 * row-major of 0/1; imagery is band-sequential Float32Array.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32 seeded generator: returns uniform numbers in [0, 1) with 2^-32 resolution. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [min, max] (inclusive). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Mask with each pixel foreground (1) with probability `density`. */
export function noiseMask(random: Random, width: number, height: number, density: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < density ? 1 : 0;
  return mask;
}

/**
 * Sparse "change patch" mask: filled discs and axis-aligned rectangles of varied size (radius
 * 2–14 px, some with holes punched in) dropped until about `coverage` of the pixels are set,
 * plus `speckle` of isolated single-pixel noise — roughly what a thresholded change score of a
 * rural scene looks like.
 */
export function blobMask(random: Random, width: number, height: number, coverage: number, speckle: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const target = coverage * width * height;
  let set = 0;
  while (set < target) {
    const cx = randomInt(random, 0, width - 1);
    const cy = randomInt(random, 0, height - 1);
    const r = randomInt(random, 2, 14);
    const rectangle = random() < 0.4;
    const ry = rectangle ? randomInt(random, 2, 14) : r;
    for (let y = Math.max(0, cy - ry); y <= Math.min(height - 1, cy + ry); y++) {
      for (let x = Math.max(0, cx - r); x <= Math.min(width - 1, cx + r); x++) {
        const dx = x - cx;
        const dy = y - cy;
        if (!rectangle && dx * dx + dy * dy > r * r) continue;
        const i = y * width + x;
        if (mask[i] === 0) {
          mask[i] = 1;
          set++;
        }
      }
    }
    if (r >= 6 && random() < 0.3) {
      // punch a small hole so outlines have interior rings
      for (let y = Math.max(0, cy - 1); y <= Math.min(height - 1, cy + 1); y++) {
        for (let x = Math.max(0, cx - 1); x <= Math.min(width - 1, cx + 1); x++) {
          const i = y * width + x;
          if (mask[i] === 1) {
            mask[i] = 0;
            set--;
          }
        }
      }
    }
  }
  const speckles = Math.round(speckle * width * height);
  for (let s = 0; s < speckles; s++) mask[randomInt(random, 0, width * height - 1)] = 1;
  return mask;
}

/** Array of uniform values in [min, max), rounded to float32. */
export function uniformFloat32(random: Random, length: number, min: number, max: number): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = min + random() * (max - min);
  return values;
}
