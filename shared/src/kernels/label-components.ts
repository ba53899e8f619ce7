/**
 * 8-connected connected-component labelling of a binary mask: classic two-pass algorithm with a
 * union-find equivalence table over provisional labels (Rosenfeld & Pfaltz, "Sequential
 * operations in digital picture processing", JACM 1966), using the decision tree of Wu, Otoo &
 * Suzuki ("Optimizing two-pass connected-component labeling algorithms", Pattern Analysis and
 * Applications 12, 2009) to look at as few neighbours as possible.
 *
 * Layout: `mask` is Uint8Array(width*height), row-major, nonzero = foreground. `labels` is
 * Int32Array(width*height): 0 = background, 1..n = component. `scratch` is the equivalence table
 * (Int32Array of length >= labelScratchLength(width, height)).
 * Units: pixels. Edges: neighbours outside the array are background; the first row and the first
 * and last columns are handled outside the interior loop. The three buffers must not share memory.
 *
 * Determinism (why labels come out in raster order): the first pixel in raster order of a
 * component has no foreground W, NW, N or NE neighbour (those precede it in raster order), so it
 * opens a new provisional label, and that label is the smallest in its component because
 * provisional labels are issued in raster order. Unions always make the smaller root the parent
 * (so parent[l] <= l holds throughout, also under path halving), hence every root is its
 * component's first pixel's label. Renumbering roots in increasing order then numbers the
 * components by the raster position of their first pixel.
 *
 * Scratch bound: a new provisional label is opened only at a foreground pixel whose W, NW, N and
 * NE are background, so no two label-opening pixels are 8-adjacent; an 8-independent set in a
 * width×height grid has at most ceil(width/2)·ceil(height/2) pixels. Entry 0 maps background.
 */

import { requireDimensions, requireLength, requireNoOverlap } from './argument-checks.js';

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

/**
 * Provisional label for a foreground pixel from its already-labelled neighbours (0 = background
 * or outside), or 0 when it needs a new label. Wu et al.'s decision tree: N is adjacent to NW,
 * NE and W, so it alone suffices; NE is not adjacent to NW or W, so those need a union; NW and W
 * are adjacent to each other, so one of them is enough.
 */
function neighbourLabel(parent: Int32Array, north: number, northEast: number, northWest: number, west: number): number {
  if (north !== 0) return north;
  if (northEast !== 0) {
    if (northWest !== 0) return unite(parent, northEast, northWest);
    if (west !== 0) return unite(parent, northEast, west);
    return northEast;
  }
  if (northWest !== 0) return northWest;
  return west;
}

/** Minimum length of the `scratch` equivalence table for a width×height mask. */
export function labelScratchLength(width: number, height: number): number {
  requireDimensions(width, height);
  return Math.ceil(width / 2) * Math.ceil(height / 2) + 1;
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
  requireDimensions(width, height);
  const pixels = width * height;
  requireLength('mask', mask, pixels);
  requireLength('labels', labels, pixels);
  requireLength('scratch', scratch, labelScratchLength(width, height));
  requireNoOverlap('mask', mask, 'labels', labels);
  requireNoOverlap('mask', mask, 'scratch', scratch);
  requireNoOverlap('labels', labels, 'scratch', scratch);
  if (pixels === 0) return 0;

  const parent = scratch;
  parent[0] = 0;
  let provisional = 0;
  const last = width - 1;

  // First pass, first row: only the west neighbour exists.
  for (let x = 0; x < width; x++) {
    if (mask[x] === 0) {
      labels[x] = 0;
      continue;
    }
    let l = x > 0 ? labels[x - 1] : 0;
    if (l === 0) {
      l = ++provisional;
      parent[l] = l;
    }
    labels[x] = l;
  }

  // First pass, remaining rows: first column, interior, last column.
  for (let y = 1; y < height; y++) {
    const row = y * width;
    const up = row - width;

    if (mask[row] === 0) {
      labels[row] = 0;
    } else {
      let l = neighbourLabel(parent, labels[up], width > 1 ? labels[up + 1] : 0, 0, 0);
      if (l === 0) {
        l = ++provisional;
        parent[l] = l;
      }
      labels[row] = l;
    }

    for (let x = 1; x < last; x++) {
      const i = row + x;
      if (mask[i] === 0) {
        labels[i] = 0;
        continue;
      }
      const j = up + x;
      let l = neighbourLabel(parent, labels[j], labels[j + 1], labels[j - 1], labels[i - 1]);
      if (l === 0) {
        l = ++provisional;
        parent[l] = l;
      }
      labels[i] = l;
    }

    if (last > 0) {
      const i = row + last;
      if (mask[i] === 0) {
        labels[i] = 0;
      } else {
        const j = up + last;
        let l = neighbourLabel(parent, labels[j], 0, labels[j - 1], labels[i - 1]);
        if (l === 0) {
          l = ++provisional;
          parent[l] = l;
        }
        labels[i] = l;
      }
    }
  }

  // Flatten: visit provisional labels in increasing order. A root gets the next final number;
  // any other label has parent < itself, whose entry already holds its final number.
  let n = 0;
  for (let l = 1; l <= provisional; l++) {
    parent[l] = parent[l] === l ? ++n : parent[parent[l]];
  }

  // Second pass: provisional → final (entry 0 keeps background at 0).
  for (let i = 0; i < pixels; i++) {
    labels[i] = parent[labels[i]];
  }
  return n;
}
