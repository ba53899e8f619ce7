/**
 * 8-connected connected-component labelling of a binary mask: run-based two-scan algorithm with
 * a union-find equivalence table over provisional labels (Rosenfeld & Pfaltz, "Sequential
 * operations in digital picture processing", JACM 1966; runs as the unit of labelling after He,
 * Chao & Suzuki, "A run-based two-scan labeling algorithm", IEEE Trans. Image Processing 17(5),
 * 2008, and the run/union-find analysis of Wu, Otoo & Suzuki, "Optimizing two-pass
 * connected-component labeling algorithms", Pattern Analysis and Applications 12, 2009).
 * `labelComponentsWithStats` fuses the per-component statistics of component-stats.ts into the
 * second scan.
 *
 * Layout: `mask` is Uint8Array(width*height), row-major, nonzero = foreground. `labels` is
 * Int32Array(width*height): 0 = background, 1..n = component. `scratch` is the equivalence table
 * (Int32Array of length >= labelScratchLength(width, height)).
 * Units: pixels. Edges: neighbours outside the array are background. The three buffers must not
 * share memory.
 *
 * Method.
 * - Rows are packed into 32-pixel words (bit b of word k = pixel 32k + b is nonzero), four mask
 *   bytes per load when width is a multiple of 4 and the mask is 4-byte aligned (same SWAR packing
 *   as morphology.ts), so 32 background pixels cost one test. Run boundaries are the set bits of
 *   v ^ (v << 1 | carry), enumerated lowest first with Math.clz32; there are 2 per run.
 * - First scan, run by run: run [s, e) of row y is 8-adjacent to the runs [s', e') of row y − 1
 *   with s' <= e and e' >= s, i.e. the run above covering column s − 1 (if any) and those that
 *   start in columns s .. e — a contiguous range of run indices. Its ends are counted, not
 *   searched: per word of the row above we keep its run-start bits and the number of runs that
 *   start in earlier words, so each end is one popcount (this replaces a two-pointer merge whose
 *   data-dependent branches mispredict on noisy masks). The first adjacent run above gives the
 *   label, further ones are united with it (run labels are stored as roots, so unequal labels
 *   usually do need a union); a run with none opens a new provisional label. The provisional
 *   label of every run is appended, in raster order, to a sequence kept in `labels` (which holds
 *   nothing else yet).
 * - Flatten the table to final numbers, then move the run-label sequence to the end of `labels`.
 * - Second scan: rows are re-read from the packed bits; a row's run labels are read out of the
 *   sequence before the row is overwritten. Why that is safe: a row has at most ceil(width/2)
 *   runs, so the entries still unread when row y is written belong to rows > y and take at most
 *   (height−y−1)·ceil(width/2) <= (height−y−1)·width slots at the end of the array — all past
 *   row y. Sparse rows are zero-filled and written run by run; dense rows pixel by pixel without
 *   data-dependent branches. labelComponentsWithStats accumulates the statistics here, per group
 *   of consecutive runs of one component, after reading a sparse row's span of the score and class
 *   rasters a line at a time (touchSpan).
 *
 * Determinism (why labels come out in raster order): the first pixel in raster order of a
 * component starts a run with no 8-adjacent run above (any such run would hold an earlier pixel of
 * the component), so it opens a new provisional label, and that label is the smallest in its
 * component because provisional labels are issued in raster order. Unions always make the smaller
 * root the parent (so parent[l] <= l holds throughout, also under path halving), hence every root
 * is its component's first pixel's label. Renumbering roots in increasing order then numbers the
 * components by the raster position of their first pixel.
 *
 * Scratch bound: a new provisional label is opened only at the first pixel of a run with no
 * foreground W, NW, N or NE neighbour, so no two label-opening pixels are 8-adjacent; an
 * 8-independent set in a width×height grid has at most ceil(width/2)·ceil(height/2) pixels.
 * Entry 0 maps background.
 */

import { requireDimensions, requireIntegerInRange, requireLength, requireNoOverlap } from './argument-checks.js';
import { emptyComponentStats, type ComponentStats } from './component-stats.js';
import { byteWords, packRow } from './pack-bits.js';

/** Root of `label` in the equivalence table, halving the path on the way (parent[l] <= l is kept). */
function findRoot(parent: Int32Array, label: number): number {
  let l = label;
  while (parent[l] !== l) {
    const grandParent = parent[parent[l]];
    parent[l] = grandParent;
    l = grandParent;
  }
  return l;
}

/** Merges the sets of a and b, the smaller root becoming the parent; returns the merged root. */
function unite(parent: Int32Array, a: number, b: number): number {
  const rootA = findRoot(parent, a);
  const rootB = findRoot(parent, b);
  if (rootA < rootB) {
    parent[rootB] = rootA;
    return rootA;
  }
  parent[rootA] = rootB;
  return rootB;
}

/** Number of set bits of a 32-bit word (SWAR popcount). */
function popcount(word: number): number {
  let t = word - ((word >>> 1) & 0x55555555);
  t = (t & 0x33333333) + ((t >>> 2) & 0x33333333);
  return Math.imul((t + (t >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Run boundaries of the packed row at bits[from .. from + words): out[2r] = first pixel of run r,
 * out[2r + 1] = one past its last pixel, runs left to right. Returns the number of entries (2·runs).
 */
function rowBoundaries(bits: Int32Array, from: number, words: number, width: number, out: Int32Array): number {
  let count = 0;
  let carry = 0;
  for (let k = 0; k < words; k++) {
    const v = bits[from + k];
    // bit b of t is set where pixel 32k + b differs from the pixel before it
    let t = v ^ ((v << 1) | carry);
    carry = v >>> 31;
    if (t === 0) continue;
    const base = (k << 5) + 31;
    do {
      const lowest = t & -t;
      out[count++] = base - Math.clz32(lowest);
      t ^= lowest;
    } while (t !== 0);
  }
  // a run reaching the row end closes there (bits past the end are 0, so this only happens
  // when width is a multiple of 32)
  if ((count & 1) !== 0) out[count++] = width;
  return count;
}

/** A row with at least width / DENSE_ROW runs is written pixel by pixel without branches. */
const DENSE_ROW = 16;

/** Minimum length of the `scratch` equivalence table for a width×height mask. */
export function labelScratchLength(width: number, height: number): number {
  requireDimensions(width, height);
  return Math.ceil(width / 2) * Math.ceil(height / 2) + 1;
}

/** Buffers shared by the two scans of one call (allocated once per call, O(width·height/32)). */
interface ScanState {
  words: number;
  /** packed mask rows, row y at y*words */
  bits: Int32Array;
  /** run boundaries of the row being scanned */
  bounds: Int32Array;
  /** per-run labels of the row being scanned */
  runLabels: Int32Array;
  /** number of runs in each row */
  rowRuns: Int32Array;
  /** number of runs in the mask (= entries of the run-label sequence at the end of `labels`) */
  runs: number;
  /** number of components */
  n: number;
}

/**
 * First scan, flattening and relocation of the run-label sequence (see the header). Afterwards
 * parent[l] is the final number of provisional label l and labels[pixels − runs ..] holds the
 * provisional label of every run in raster order.
 */
function firstScan(mask: Uint8Array, width: number, height: number, labels: Int32Array, parent: Int32Array): ScanState {
  const pixels = width * height;
  const words = (width + 31) >>> 5;
  const mask32 = byteWords(mask, width, pixels);
  const bits = new Int32Array(height * words);
  const rowRuns = new Int32Array(height);
  const bounds = new Int32Array(width + 2);
  let currentLabels = new Int32Array((width >>> 1) + 2);
  let previousLabels = new Int32Array((width >>> 1) + 2);
  // per word of the previous / current row: its run-start bits, and the number of runs starting
  // in earlier words
  let previousStarts = new Int32Array(words);
  let currentStarts = new Int32Array(words);
  let previousPrefix = new Int32Array(words);
  let currentPrefix = new Int32Array(words);

  parent[0] = 0;
  let provisional = 0;
  let runs = 0;
  let previousRuns = 0;
  for (let y = 0; y < height; y++) {
    const from = y * words;
    const above = from - words;
    const any = packRow(mask, mask32, y * width, width, words, bits, from);
    let runsInRow = 0;
    if (any !== 0) {
      runsInRow = rowBoundaries(bits, from, words, width, bounds) >>> 1;
      // The runs above that touch run [start, end) are the one covering column start − 1 (if
      // any) and those starting in columns start .. end: a contiguous range of run indices,
      // found by counting run starts (popcounts) rather than by a data-dependent merge.
      for (let r = 0; r < runsInRow; r++) {
        const start = bounds[2 * r];
        const end = bounds[2 * r + 1];
        let l = 0;
        if (previousRuns !== 0) {
          const covered = start > 0 ? (bits[above + ((start - 1) >>> 5)] >>> ((start - 1) & 31)) & 1 : 0;
          const first = previousPrefix[start >>> 5] + popcount(previousStarts[start >>> 5] & ((1 << (start & 31)) - 1)) - covered;
          const last =
            end + 1 >= width
              ? previousRuns
              : previousPrefix[(end + 1) >>> 5] + popcount(previousStarts[(end + 1) >>> 5] & ((1 << ((end + 1) & 31)) - 1));
          if (first < last) {
            // Run labels are stored as roots, so unequal labels usually do need a union; the
            // common cases (one or two runs above) take no data-dependent loop.
            l = previousLabels[first];
            const other = previousLabels[last - 1];
            if (other !== l) l = unite(parent, l, other);
            for (let k = first + 1; k < last - 1; k++) {
              const middle = previousLabels[k];
              if (middle !== l) l = unite(parent, l, middle);
            }
            if (parent[l] !== l) l = findRoot(parent, l);
          }
        }
        if (l === 0) {
          l = ++provisional;
          parent[l] = l;
        }
        currentLabels[r] = l;
        labels[runs++] = l;
      }
      let carry = 0;
      let prefix = 0;
      for (let k = 0; k < words; k++) {
        const v = bits[from + k];
        const starts = v & ~((v << 1) | carry);
        carry = v >>> 31;
        currentStarts[k] = starts;
        currentPrefix[k] = prefix;
        if (starts !== 0) prefix += popcount(starts);
      }
    }
    const swapLabels = previousLabels;
    previousLabels = currentLabels;
    currentLabels = swapLabels;
    const swapStarts = previousStarts;
    previousStarts = currentStarts;
    currentStarts = swapStarts;
    const swapPrefix = previousPrefix;
    previousPrefix = currentPrefix;
    currentPrefix = swapPrefix;
    previousRuns = runsInRow;
    rowRuns[y] = runsInRow;
  }

  // Flatten: visit provisional labels in increasing order. A root gets the next final number;
  // any other label has parent < itself, whose entry already holds its final number.
  let n = 0;
  for (let l = 1; l <= provisional; l++) {
    parent[l] = parent[l] === l ? ++n : parent[parent[l]];
  }

  labels.copyWithin(pixels - runs, 0, runs);
  return { words, bits, bounds, runLabels: currentLabels, rowRuns, runs, n };
}

function checkLabelArguments(
  mask: Uint8Array,
  width: number,
  height: number,
  labels: Int32Array,
  scratch: Int32Array,
): void {
  requireDimensions(width, height);
  const pixels = width * height;
  requireLength('mask', mask, pixels);
  requireLength('labels', labels, pixels);
  requireLength('scratch', scratch, labelScratchLength(width, height));
  requireNoOverlap('mask', mask, 'labels', labels);
  requireNoOverlap('mask', mask, 'scratch', scratch);
  requireNoOverlap('labels', labels, 'scratch', scratch);
}

/**
 * 8-connected connected-component labelling (two-pass with union-find on provisional labels).
 * mask: nonzero = foreground. labels: Int32Array(width*height) output, 0 for background,
 * components numbered 1..n in raster order of each component's first (top-most, then left-most)
 * pixel — deterministic. scratch: Int32Array of length >= labelScratchLength(width, height) for
 * the equivalence table. Returns n.
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  labels: Int32Array,
  scratch: Int32Array,
): number {
  checkLabelArguments(mask, width, height, labels, scratch);
  const pixels = width * height;
  if (pixels === 0) return 0;

  const parent = scratch;
  const { words, bits, bounds, runLabels, rowRuns, runs, n } = firstScan(mask, width, height, labels, parent);

  // Second scan: provisional → final. Rows with few runs are written run by run; in dense rows
  // (where run ends are unpredictable branches) every pixel of a nonzero word is written without
  // branches: runLabels[0] = 0, runLabels[r + 1] = label of run r, and a pixel takes entry
  // (runs started so far) if it is foreground, entry 0 otherwise.
  let sequence = pixels - runs;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const from = y * words;
    const runsInRow = rowRuns[y];
    if (runsInRow === 0) {
      labels.fill(0, row, row + width);
      continue;
    }
    runLabels[0] = 0;
    for (let r = 0; r < runsInRow; r++) runLabels[r + 1] = parent[labels[sequence + r]];
    sequence += runsInRow;
    if (runsInRow * DENSE_ROW < width) {
      rowBoundaries(bits, from, words, width, bounds);
      labels.fill(0, row, row + width);
      for (let r = 0; r < runsInRow; r++) {
        const l = runLabels[r + 1];
        const end = row + bounds[2 * r + 1];
        for (let i = row + bounds[2 * r]; i < end; i++) labels[i] = l;
      }
      continue;
    }
    let started = 0;
    let carry = 0;
    for (let k = 0; k < words; k++) {
      const v = bits[from + k];
      const starts = v & ~((v << 1) | carry);
      carry = v >>> 31;
      const x0 = k << 5;
      const i0 = row + x0;
      const pixelsInWord = Math.min(32, width - x0);
      if (v === 0) {
        labels.fill(0, i0, i0 + pixelsInWord);
        continue;
      }
      for (let b = 0; b < pixelsInWord; b++) {
        started += (starts >>> b) & 1;
        labels[i0 + b] = runLabels[started & -((v >>> b) & 1)];
      }
    }
  }
  return n;
}

/** Where touchSpan's loads go, so that the engine keeps them. */
let touched = 0;

/**
 * Loads one value per cache line of the score (4-byte values: any 16 consecutive ones hold a value of
 * each 64-byte line they reach) and class rasters (a value every 64) over [from, end), in order.
 * Why: the runs of a sparse mask reach the score and class rasters at scattered lines that no prefetcher
 * predicts, and each miss then stalls the run's accumulation; touched in one tight ascending loop just
 * before, the row's lines arrive together (about 1.15 times the speed on the 2048² sparse benchmark
 * mask). Rows with many runs are left as they are.
 */
function touchSpan(scoreWords: Int32Array, classes: Uint8Array, from: number, end: number, pixels: number): number {
  let t = 0;
  const scoreEnd = Math.min(pixels, end + 15);
  for (let i = from; i < scoreEnd; i += 16) t ^= scoreWords[i]!;
  const classesEnd = Math.min(pixels, end + 63);
  for (let i = from; i < classesEnd; i += 64) t ^= classes[i]!;
  return t;
}

/**
 * labelComponents and componentStats in one call, with the statistics accumulated run by run
 * during the second labelling scan instead of in a separate pass over the label raster. Outputs
 * are identical to `n = labelComponents(mask, width, height, labels, scratch)` followed by
 * `componentStats(labels, n, width, height, score, classes, classBits)` (sumScore adds the
 * same float32 scores in the same raster order; the coordinate sums are exact either way).
 * score: Float32Array(width*height); classes: Uint8Array(width*height) of bit flags; classBits:
 * 1..8. labels, scratch: as for labelComponents. Returns the statistics and n.
 */
export function labelComponentsWithStats(
  mask: Uint8Array,
  width: number,
  height: number,
  score: Float32Array,
  classes: Uint8Array,
  classBits: number,
  labels: Int32Array,
  scratch: Int32Array,
): ComponentStats & { n: number } {
  checkLabelArguments(mask, width, height, labels, scratch);
  requireIntegerInRange('classBits', classBits, 1, 8);
  const pixels = width * height;
  requireLength('score', score, pixels);
  requireLength('classes', classes, pixels);

  const parent = scratch;
  let state: ScanState | null = null;
  let n = 0;
  if (pixels > 0) {
    state = firstScan(mask, width, height, labels, parent);
    n = state.n;
  }

  const stats = emptyComponentStats(n, width, height, classBits);
  const { pixelCount, minX, minY, maxX, maxY, sumX, sumY, sumScore, classCount } = stats;
  if (state === null) return { n, ...stats };

  const { words, bits, bounds, runLabels, rowRuns, runs } = state;
  const scoreWords = new Int32Array(score.buffer, score.byteOffset, pixels);
  let sequence = pixels - runs;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const runsInRow = rowRuns[y];
    if (runsInRow === 0) {
      labels.fill(0, row, row + width);
      continue;
    }
    rowBoundaries(bits, y * words, words, width, bounds);
    // (dense rows read their lines in order anyway: the prefetchers follow)
    if (runsInRow * DENSE_ROW < width) touched ^= touchSpan(scoreWords, classes, row + bounds[0], row + bounds[2 * runsInRow - 1], pixels);
    for (let r = 0; r < runsInRow; r++) runLabels[r] = parent[labels[sequence + r]];
    sequence += runsInRow;
    labels.fill(0, row, row + width);
    const centreY = y + 0.5;
    // Consecutive runs of one component (common in dense masks) are accumulated together and
    // written to the per-label arrays once.
    let r = 0;
    while (r < runsInRow) {
      const l = runLabels[r];
      const firstX = bounds[2 * r];
      let lastEnd = firstX;
      let count = 0;
      // Σ (2x + 1) over the segment's pixels: integer, so exact
      let twiceSumX = 0;
      // score is added pixel by pixel in raster order, exactly as componentStats does
      let scoreSum = sumScore[l];
      let c0 = 0;
      let c1 = 0;
      do {
        const startX = bounds[2 * r];
        const endX = bounds[2 * r + 1];
        count += endX - startX;
        twiceSumX += (endX - startX) * (startX + endX);
        const end = row + endX;
        if (classBits <= 2) {
          for (let i = row + startX; i < end; i++) {
            labels[i] = l;
            scoreSum += score[i];
            const c = classes[i];
            c0 += c & 1;
            c1 += (c >>> 1) & 1;
          }
        } else {
          const base = l * classBits;
          for (let i = row + startX; i < end; i++) {
            labels[i] = l;
            scoreSum += score[i];
            const c = classes[i];
            if (c !== 0) for (let k = 0; k < classBits; k++) classCount[base + k] += (c >>> k) & 1;
          }
        }
        lastEnd = endX;
        r++;
      } while (r < runsInRow && runLabels[r] === l);
      sumScore[l] = scoreSum;
      pixelCount[l] += count;
      // Rows are visited in increasing y, so the first segment seen fixes minY and the last maxY.
      if (minY[l] > y) minY[l] = y;
      maxY[l] = y;
      if (minX[l] > firstX) minX[l] = firstX;
      if (maxX[l] < lastEnd - 1) maxX[l] = lastEnd - 1;
      // Σ (x + 0.5) and Σ (y + 0.5): multiples of 0.5 far below 2^52, exact in float64, so equal
      // to componentStats' pixel-by-pixel sums
      sumX[l] += twiceSumX * 0.5;
      sumY[l] += count * centreY;
      if (classBits <= 2) {
        classCount[classBits * l] += c0;
        if (classBits === 2) classCount[2 * l + 1] += c1;
      }
    }
  }
  return { n, ...stats };
}
