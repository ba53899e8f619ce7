/**
 * Per-component statistics in one pass over a label raster (area, bbox, centroid sums, score
 * sum, counts per class bit) — everything an alert needs before its outline is traced.
 *
 * Layout: `labels` Int32Array(width*height) as produced by labelComponents (0 = background,
 * 1..n = component); `score` Float32Array(width*height); `classes` Uint8Array(width*height) of bit
 * flags; all row-major, index y*width + x. Result arrays have length n + 1, indexed by label;
 * index 0 (background) is left at its initial value and not accumulated.
 * Units: pixels; coordinates are pixel indices (x right, y down). Centroid sums use pixel centres
 * (x + 0.5, y + 0.5), so sumX/pixelCount is the centroid in pixel-corner coordinates, the same
 * frame as traceOutline's rings.
 * Nodata/edges: no neighbourhood. Labels <= 0 are background; a label > n is a caller bug and
 * throws. A label in 1..n with no pixels keeps pixelCount 0, minX = width, minY = height,
 * maxX = maxY = −1 (an empty bbox).
 * Why Float64 for the sums: a 2048² tile has up to 4.2 M pixels with coordinates up to 2048, so
 * coordinate sums exceed Int32 and float32 would round them.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

export interface ComponentStats {
  /** all arrays have length n + 1; index 0 is unused (background) */
  pixelCount: Int32Array;
  /** inclusive pixel index of the leftmost pixel */
  minX: Int32Array;
  /** inclusive pixel index of the topmost pixel */
  minY: Int32Array;
  /** inclusive pixel index of the rightmost pixel */
  maxX: Int32Array;
  /** inclusive pixel index of the bottommost pixel */
  maxY: Int32Array;
  /** sum of pixel-centre x coordinates (x + 0.5) */
  sumX: Float64Array;
  /** sum of pixel-centre y coordinates (y + 0.5) */
  sumY: Float64Array;
  /** sum of score over the component's pixels */
  sumScore: Float64Array;
  /** length (n + 1) * classBits; classCount[label*classBits + k] = pixels whose classes value has bit k set */
  classCount: Int32Array;
}

/**
 * One pass over labels computing per-component statistics. score: Float32Array(width*height);
 * classes: Uint8Array(width*height) of bit flags (bit 0 = farmland, bit 1 = red line, ...);
 * classBits: number of bits to count (1..8).
 */
export function componentStats(
  labels: Int32Array,
  n: number,
  width: number,
  height: number,
  score: Float32Array,
  classes: Uint8Array,
  classBits: number,
): ComponentStats {
  requireDimensions(width, height);
  requireIntegerInRange('n', n, 0, 0x7ffffffe);
  requireIntegerInRange('classBits', classBits, 1, 8);
  const pixels = width * height;
  requireLength('labels', labels, pixels);
  requireLength('score', score, pixels);
  requireLength('classes', classes, pixels);

  const size = n + 1;
  const pixelCount = new Int32Array(size);
  const minX = new Int32Array(size).fill(width);
  const minY = new Int32Array(size).fill(height);
  const maxX = new Int32Array(size).fill(-1);
  const maxY = new Int32Array(size).fill(-1);
  const sumX = new Float64Array(size);
  const sumY = new Float64Array(size);
  const sumScore = new Float64Array(size);
  const classCount = new Int32Array(size * classBits);

  for (let y = 0; y < height; y++) {
    const row = y * width;
    const centreY = y + 0.5;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const l = labels[i];
      if (l <= 0) continue;
      if (l > n) throw new RangeError(`label ${l} at (${x}, ${y}) exceeds n = ${n}`);
      pixelCount[l]++;
      // Rows are visited in increasing y, so the first pixel seen fixes minY and the last maxY.
      if (minY[l] > y) minY[l] = y;
      maxY[l] = y;
      if (minX[l] > x) minX[l] = x;
      if (maxX[l] < x) maxX[l] = x;
      sumX[l] += x + 0.5;
      sumY[l] += centreY;
      sumScore[l] += score[i];
      const c = classes[i];
      if (c !== 0) {
        const base = l * classBits;
        for (let k = 0; k < classBits; k++) classCount[base + k] += (c >>> k) & 1;
      }
    }
  }

  return { pixelCount, minX, minY, maxX, maxY, sumX, sumY, sumScore, classCount };
}
