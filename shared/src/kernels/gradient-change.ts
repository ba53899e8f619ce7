/**
 * Edge/texture change between two co-registered epochs: how much the local gradient magnitude of
 * each band changed. A new building, road or cleared field adds or removes edges even where its mean
 * colour is close to what was there before; a uniform brightness or season shift changes no edge.
 *
 * Layout: `before`, `after` band-sequential Float32 (band b at (x, y) is planar[b*width*height +
 * y*width + x]); `valid` Uint8Array(width*height); `out` Float32Array(width*height).
 * Units: z units per pixel (each band z-scored per epoch with the pair's mean and std, as the change
 * vector does), RMS over bands:
 *   out = sqrt( (1/bands) · Σ_b ( |∇z_after,b| − |∇z_before,b| )² ),
 * |∇z| = sqrt(gx² + gy²), gx and gy the 3×3 Sobel differences divided by 8 (Sobel & Feldman 1968),
 * so a ramp of slope 1 z per pixel has |∇z| = 1.
 * Nodata and edges: invalid pixels → 0. A neighbour outside the array or invalid (in either epoch)
 * takes the centre pixel's value, so nodata never leaks into a valid pixel's score and a pixel's
 * score depends only on its 3×3 neighbourhood: a window read with a 1-pixel halo gives the same
 * value as the whole scene. Arithmetic is float64; only the result is rounded to float32.
 */

import { requireBandVectors, requireEpochPair, requireLength } from './argument-checks.js';

/** 1/std for a usable std, else 0 (as changeVectorMagnitude). */
function inverseStd(std: number): number {
  return std > 0 && std < Infinity ? 1 / std : 0;
}

/** Sobel gradient magnitude / 8 of the 3×3 neighbourhood n0..n8 (row-major, n4 the centre). */
function sobelMagnitude(n0: number, n1: number, n2: number, n3: number, n5: number, n6: number, n7: number, n8: number): number {
  // Grouped as the separable fast path computes it (row differences, then rows combined).
  const gx = (n2 - n0 + 2 * (n5 - n3) + (n8 - n6)) / 8;
  const gy = (n6 + 2 * n7 + n8 - (n0 + 2 * n1 + n2)) / 8;
  return Math.sqrt(gx * gx + gy * gy);
}

/** v[j] when (x+dx, y+dy) is inside the array and valid, else the centre's v[i]. */
function neighbour(v: Float32Array, plane: number, valid: Uint8Array, width: number, height: number, x: number, y: number, dx: number, dy: number): number {
  const xx = x + dx;
  const yy = y + dy;
  if (xx < 0 || yy < 0 || xx >= width || yy >= height) return v[plane + y * width + x]!;
  const j = yy * width + xx;
  return valid[j] === 1 ? v[plane + j]! : v[plane + y * width + x]!;
}

/** Gradient magnitude at (x, y) next to the array edge or to invalid pixels (the slow path). */
function edgeGradient(v: Float32Array, plane: number, valid: Uint8Array, width: number, height: number, x: number, y: number): number {
  return sobelMagnitude(
    neighbour(v, plane, valid, width, height, x, y, -1, -1),
    neighbour(v, plane, valid, width, height, x, y, 0, -1),
    neighbour(v, plane, valid, width, height, x, y, 1, -1),
    neighbour(v, plane, valid, width, height, x, y, -1, 0),
    neighbour(v, plane, valid, width, height, x, y, 1, 0),
    neighbour(v, plane, valid, width, height, x, y, -1, 1),
    neighbour(v, plane, valid, width, height, x, y, 0, 1),
    neighbour(v, plane, valid, width, height, x, y, 1, 1),
  );
}

/** One row's horizontal Sobel parts (interior columns) into the ring slot starting at `slot`. */
function sobelRow(v: Float32Array, row: number, width: number, diff: Float64Array, smooth: Float64Array, slot: number): void {
  for (let x = 1; x < width - 1; x++) {
    const left = v[row + x - 1]!;
    const right = v[row + x + 1]!;
    diff[slot + x] = right - left;
    smooth[slot + x] = left + 2 * v[row + x]! + right;
  }
}

/**
 * RMS over bands of the change in z-scored Sobel gradient magnitude (see the file comment).
 * A band whose std is 0 (or not finite) contributes 0, as in changeVectorMagnitude. The band means
 * are not arguments: z-scoring's offset cancels in every difference.
 */
export function gradientChange(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  beforeStd: Float64Array,
  afterStd: Float64Array,
  out: Float32Array,
): void {
  const pixels = requireEpochPair(before, after, valid, width, height, bands, 0xffff);
  requireBandVectors(bands, { beforeStd, afterStd });
  requireLength('out', out, pixels);

  // 1 where the pixel and its 8 neighbours are inside the array and valid: the fast path applies.
  const whole = new Uint8Array(pixels);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      whole[i] = valid[i - width - 1]! & valid[i - width]! & valid[i - width + 1]! & valid[i - 1]! & valid[i]! & valid[i + 1]! & valid[i + width - 1]! & valid[i + width]! & valid[i + width + 1]!;
    }
  }
  const sumSq = new Float64Array(pixels);
  // Separable Sobel rows for the fast path, a ring of 3 rows per epoch: diff[x] = v[x+1] − v[x−1],
  // smooth[x] = v[x−1] + 2·v[x] + v[x+1]; then gx = (diff↑ + 2·diff + diff↓)/8, gy = (smooth↓ − smooth↑)/8.
  const diffA = new Float64Array(3 * width);
  const smoothA = new Float64Array(3 * width);
  const diffB = new Float64Array(3 * width);
  const smoothB = new Float64Array(3 * width);
  // z = (v − mean)·scale, so the mean cancels in every difference and |∇z| = scale·|∇v|: the
  // gradient is taken on the raw values. Band-outer so each plane streams once; the sum still runs
  // over bands 0..bands-1 for every pixel.
  for (let b = 0; b < bands; b++) {
    const plane = b * pixels;
    const bScale = inverseStd(beforeStd[b]!);
    const aScale = inverseStd(afterStd[b]!);
    for (let r = 0; r < 2 && r < height; r++) {
      sobelRow(after, plane + r * width, width, diffA, smoothA, (r % 3) * width);
      sobelRow(before, plane + r * width, width, diffB, smoothB, (r % 3) * width);
    }
    for (let y = 0; y < height; y++) {
      if (y >= 1 && y + 1 < height) {
        sobelRow(after, plane + (y + 1) * width, width, diffA, smoothA, ((y + 1) % 3) * width);
        sobelRow(before, plane + (y + 1) * width, width, diffB, smoothB, ((y + 1) % 3) * width);
      }
      const up = ((y + 2) % 3) * width;
      const mid = (y % 3) * width;
      const down = ((y + 1) % 3) * width;
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (valid[i] !== 1) continue;
        let d: number;
        if (whole[i] === 1) {
          let gx = (diffA[up + x]! + 2 * diffA[mid + x]! + diffA[down + x]!) / 8;
          let gy = (smoothA[down + x]! - smoothA[up + x]!) / 8;
          const ga = Math.sqrt(gx * gx + gy * gy) * aScale;
          gx = (diffB[up + x]! + 2 * diffB[mid + x]! + diffB[down + x]!) / 8;
          gy = (smoothB[down + x]! - smoothB[up + x]!) / 8;
          d = ga - Math.sqrt(gx * gx + gy * gy) * bScale;
        } else {
          d = edgeGradient(after, plane, valid, width, height, x, y) * aScale - edgeGradient(before, plane, valid, width, height, x, y) * bScale;
        }
        sumSq[i] += d * d;
      }
    }
  }
  const inverseBands = 1 / bands;
  for (let i = 0; i < pixels; i++) out[i] = valid[i] === 1 ? Math.sqrt(sumSq[i]! * inverseBands) : 0;
}
