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
 * Method: background is skipped eight labels per test; each stretch of a row holding one
 * component's pixels (short background gaps included) is accumulated without data-dependent
 * branches and folded into the per-label arrays once. Results are identical to a plain
 * pixel-by-pixel accumulation (see the comments in componentStats for why). When labels come
 * straight from labelComponents, labelComponentsWithStats (label-components.ts) computes the
 * same statistics during labelling, without this second pass over the raster.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

/** Longest run of background pixels inside one accumulated segment (see componentStats). */
const SEGMENT_GAP = 8;

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
 * Statistics of n components before any pixel is counted: counts and sums 0, each bounding box empty
 * (min past the raster, max −1), so the first pixel of a component sets it.
 */
export function emptyComponentStats(n: number, width: number, height: number, classBits: number): ComponentStats {
  const size = n + 1;
  return {
    pixelCount: new Int32Array(size),
    minX: new Int32Array(size).fill(width),
    minY: new Int32Array(size).fill(height),
    maxX: new Int32Array(size).fill(-1),
    maxY: new Int32Array(size).fill(-1),
    sumX: new Float64Array(size),
    sumY: new Float64Array(size),
    sumScore: new Float64Array(size),
    classCount: new Int32Array(size * classBits),
  };
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

  const stats = emptyComponentStats(n, width, height, classBits);
  const { pixelCount, minX, minY, maxX, maxY, sumX, sumY, sumScore, classCount } = stats;

  // Background is skipped eight labels at a time when the buffer is 8-byte aligned: two int32
  // labels read as one float64 give ±0 only if both are 0 (or the pair is (0, −2^31), background
  // too), and |a| + |b| + |c| + |d| is 0 only if all four float64s are ±0.
  const quads = (labels.byteOffset & 7) === 0 ? new Float64Array(labels.buffer, labels.byteOffset, pixels >>> 1) : null;
  // pick[0] stays +0, pick[1] holds the current score: adding pick[isLabel] adds the score of a
  // component pixel and exactly +0 otherwise, without a data-dependent branch. (+0 never changes
  // a sum that starts at +0: such a sum is never −0.)
  const pick = new Float64Array(2);

  // A segment is a stretch of one row holding a single component's pixels, possibly with short
  // background gaps between them. Its pixels are accumulated without data-dependent branches
  // (the count, the column sum Σ(2x + 1) and the last column as integers, the score pixel by
  // pixel in raster order via `pick`), then folded into the per-label arrays once. The results
  // equal a pixel-by-pixel accumulation: the integer and half-integer sums are exact in float64
  // (far below 2^52) and the score sum sees the same additions in the same order.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const rowEnd = row + width;
    const centreY = y + 0.5;
    let i = row;
    while (i < rowEnd) {
      const l = labels[i];
      if (l <= 0) {
        i++;
        if (quads !== null) {
          if ((i & 1) !== 0 && i < rowEnd && labels[i] <= 0) i++;
          while (i + 8 <= rowEnd) {
            const j = i >>> 1;
            if (Math.abs(quads[j]) + Math.abs(quads[j + 1]) + Math.abs(quads[j + 2]) + Math.abs(quads[j + 3]) !== 0) break;
            i += 8;
          }
        }
        continue;
      }
      if (l > n) throw new RangeError(`label ${l} at (${i - row}, ${y}) exceeds n = ${n}`);
      const startX = i - row;
      let lastX = startX;
      let count = 0;
      let twiceSumX = 0;
      let gap = 0;
      let scoreSum = sumScore[l];
      let c0 = 0;
      let c1 = 0;
      const base = l * classBits;
      for (let x = startX; i < rowEnd; i++, x++) {
        const v = labels[i];
        // ends at another component's pixel or after a background gap longer than SEGMENT_GAP
        if ((+(v > 0) & +(v !== l)) + +(gap > SEGMENT_GAP) !== 0) break;
        const isLabel = +(v === l);
        gap = (gap + 1) & (isLabel - 1);
        count += isLabel;
        twiceSumX += (2 * x + 1) & -isLabel;
        lastX += (x - lastX) & -isLabel;
        pick[1] = score[i];
        scoreSum += pick[isLabel];
        const c = classes[i] & -isLabel;
        if (classBits <= 2) {
          c0 += c & 1;
          c1 += (c >>> 1) & 1;
        } else if (c !== 0) {
          for (let k = 0; k < classBits; k++) classCount[base + k] += (c >>> k) & 1;
        }
      }
      sumScore[l] = scoreSum;
      pixelCount[l] += count;
      // Rows are visited in increasing y, so the first segment seen fixes minY and the last maxY.
      if (minY[l] > y) minY[l] = y;
      maxY[l] = y;
      if (minX[l] > startX) minX[l] = startX;
      if (maxX[l] < lastX) maxX[l] = lastX;
      sumX[l] += twiceSumX * 0.5;
      sumY[l] += count * centreY;
      if (classBits <= 2) {
        classCount[base] += c0;
        if (classBits === 2) classCount[base + 1] += c1;
      }
    }
  }

  return stats;
}
