/**
 * Vector outline (exterior ring + hole rings) of one labelled component, on pixel corners.
 *
 * Layout: `labels` is Int32Array(width*height), row-major, index y*width + x. A pixel is a member
 * when its label equals `label`; pixels outside the array (or outside the given bbox) are
 * non-members. Output coordinates are pixel-corner coordinates in the array's frame: x right,
 * y down, pixel (i, j) is the square [i, i+1]×[j, j+1]; all vertices are integers.
 * Units: pixels; ringArea returns square pixels.
 * Edges: the bbox is copied into a local member grid with a one-pixel non-member border, so
 * components touching the array edge need no special case.
 *
 * Method: boundary-edge following on the corner lattice (the crack-following idea of
 * marching squares). Every unit edge between a member and a non-member pixel is directed so that
 * the member lies on its right-hand side (in y-down screen space). With that single rule the
 * exterior runs clockwise in y-down space (positive shoelace area, counter-clockwise once y is
 * flipped north-up, as RFC 7946 wants) and holes run the other way. At a corner where the four
 * pixels are not a saddle, exactly one boundary edge leaves, so the walk is forced. At a saddle
 * (two member pixels touching only diagonally) two edges leave; the walk always turns left,
 * which is the turn that goes on around the diagonal neighbour instead of cutting it off — so
 * 8-connected members stay in one ring (and the 4-connected non-member regions, i.e. holes and
 * the outside, are separated), matching labelComponents' 8-connectivity. A saddle corner is then
 * visited twice by the same or by two different rings.
 * Vertices are emitted only where the direction changes, so collinear intermediate vertices never
 * appear. The exterior is traced from the top-left corner of the component's first pixel in
 * raster order, which is its smallest-y-then-x vertex. Holes are discovered by a raster scan of
 * corners for unvisited boundary edges: any unvisited edge at corner v belongs to a ring whose
 * vertices all come at or after v in raster order (a ring with an earlier vertex would have been
 * found and traced earlier), so the walk starts at the ring's smallest-y-then-x vertex, and holes
 * come out sorted by that first vertex.
 * Why rings on corners: they are exact (area equals pixel count), integer, and map to map
 * coordinates with the raster's affine transform without half-pixel shifts.
 */

import { requireDimensions, requireIntegerInRange, requireLength } from './argument-checks.js';

// Directions on the corner lattice, in clockwise order in y-down space: turning left = +3 mod 4.
const EAST = 0;
const SOUTH = 1;
const WEST = 2;
const NORTH = 3;
const STEP_X = [1, 0, -1, 0] as const;
const STEP_Y = [0, 1, 0, -1] as const;

// Corner configuration: bits for the four pixels around a corner.
const NW = 1;
const NE = 2;
const SW = 4;
const SE = 8;
const SADDLE_NW_SE = NW | SE;
const SADDLE_NE_SW = NE | SW;

/**
 * Bit set of directions (1 << dir) of boundary edges leaving a corner with configuration `c`,
 * member on the right: east along the top of SE under a non-member NE, south along the right of
 * SW beside a non-member SE, west along the bottom of NW over a non-member SW, north along the
 * left of NE beside a non-member NW.
 */
function outgoingEdges(c: number): number {
  let edges = 0;
  if ((c & SE) !== 0 && (c & NE) === 0) edges |= 1 << EAST;
  if ((c & SW) !== 0 && (c & SE) === 0) edges |= 1 << SOUTH;
  if ((c & NW) !== 0 && (c & SW) === 0) edges |= 1 << WEST;
  if ((c & NE) !== 0 && (c & NW) === 0) edges |= 1 << NORTH;
  return edges;
}

/** Precomputed outgoingEdges for all 16 configurations. */
const OUTGOING = Array.from({ length: 16 }, (_, c) => outgoingEdges(c));

/**
 * Outline of the component `label` in `labels` as polygon rings on pixel-corner coordinates
 * (x right, y down; pixel (i,j) is the square [i,i+1]×[j,j+1]). Returns rings: ring 0 is the
 * exterior, the rest are holes (regions of non-member pixels fully enclosed by the component,
 * whatever label they carry). Each ring is a flat closed array [x0,y0,x1,y1,...,x0,y0] of
 * integers with collinear intermediate vertices removed. Orientation: exterior clockwise in this
 * y-down pixel space (so counter-clockwise once y is flipped north-up, as RFC 7946 wants), holes
 * the opposite. Pixels of the same 8-connected component that touch only at a corner stay in one
 * exterior ring: the ring passes through the shared corner twice (at such a saddle vertex, always
 * turn so the member pixels stay connected). Ring order deterministic: exterior first, holes
 * sorted by their first vertex (smallest y, then x). The starting vertex of every ring is its
 * smallest-y, then smallest-x vertex. minX..maxY is the component's inclusive bbox (search
 * limited to it). Returns [] when the bbox holds no member pixel.
 */
export function traceOutline(
  labels: Int32Array,
  width: number,
  height: number,
  label: number,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
): number[][] {
  requireDimensions(width, height);
  requireLength('labels', labels, width * height);
  requireIntegerInRange('minX', minX, 0, width - 1);
  requireIntegerInRange('maxX', maxX, minX, width - 1);
  requireIntegerInRange('minY', minY, 0, height - 1);
  requireIntegerInRange('maxY', maxY, minY, height - 1);

  // Local member grid of the bbox with a one-pixel non-member border. Corner (cx, cy) of the
  // bbox (0 <= cx <= boxWidth, 0 <= cy <= boxHeight) has its NW pixel at grid (cx, cy).
  const boxWidth = maxX - minX + 1;
  const boxHeight = maxY - minY + 1;
  const gridWidth = boxWidth + 2;
  const member = new Uint8Array(gridWidth * (boxHeight + 2));
  let firstX = -1;
  let firstY = -1;
  for (let y = 0; y < boxHeight; y++) {
    const src = (minY + y) * width + minX;
    const dst = (y + 1) * gridWidth + 1;
    for (let x = 0; x < boxWidth; x++) {
      if (labels[src + x] === label) {
        member[dst + x] = 1;
        if (firstX < 0) {
          firstX = x;
          firstY = y;
        }
      }
    }
  }
  if (firstX < 0) return [];

  const cornersPerRow = boxWidth + 1;
  const cornerCount = cornersPerRow * (boxHeight + 1);
  const configuration = new Uint8Array(cornerCount);
  for (let cy = 0; cy <= boxHeight; cy++) {
    const top = cy * gridWidth;
    const bottom = top + gridWidth;
    for (let cx = 0; cx <= boxWidth; cx++) {
      configuration[cy * cornersPerRow + cx] =
        member[top + cx] * NW | member[top + cx + 1] * NE | member[bottom + cx] * SW | member[bottom + cx + 1] * SE;
    }
  }
  // visited[corner] has bit (1 << dir) set once the edge leaving that corner in dir is used.
  const visited = new Uint8Array(cornerCount);

  const rings: number[][] = [];
  rings.push(traceRing(configuration, visited, cornersPerRow, firstX, firstY, EAST, minX, minY));

  for (let cy = 0; cy <= boxHeight; cy++) {
    for (let cx = 0; cx <= boxWidth; cx++) {
      const corner = cy * cornersPerRow + cx;
      const unvisited = OUTGOING[configuration[corner]] & ~visited[corner];
      if (unvisited === 0) continue;
      // Only east or south can leave a ring's smallest-y-then-x vertex (and a corner never has
      // both); an unvisited west/north edge here would mean the invariant above is broken.
      if ((unvisited & ((1 << WEST) | (1 << NORTH))) !== 0) {
        throw new Error(`traceOutline: unvisited west/north boundary edge at corner (${cx + minX}, ${cy + minY})`);
      }
      const direction = (unvisited & (1 << EAST)) !== 0 ? EAST : SOUTH;
      rings.push(traceRing(configuration, visited, cornersPerRow, cx, cy, direction, minX, minY));
    }
  }
  return rings;
}

/**
 * Follows boundary edges from corner (startX, startY) leaving in `startDirection` until the walk
 * returns to that edge; marks the edges visited and returns the closed ring in array coordinates.
 * The start corner must be the ring's smallest-y-then-x vertex (always a turn, hence a vertex).
 */
function traceRing(
  configuration: Uint8Array,
  visited: Uint8Array,
  cornersPerRow: number,
  startX: number,
  startY: number,
  startDirection: number,
  offsetX: number,
  offsetY: number,
): number[] {
  const ring: number[] = [startX + offsetX, startY + offsetY];
  visited[startY * cornersPerRow + startX] |= 1 << startDirection;
  let x = startX + STEP_X[startDirection];
  let y = startY + STEP_Y[startDirection];
  let heading = startDirection;
  for (;;) {
    const corner = y * cornersPerRow + x;
    const c = configuration[corner];
    let next: number;
    if (c === SADDLE_NW_SE || c === SADDLE_NE_SW) {
      next = (heading + 3) & 3; // turn left: keep the diagonal member pixels connected
    } else {
      next = 31 - Math.clz32(OUTGOING[c]); // exactly one edge leaves a non-saddle boundary corner
    }
    if (x === startX && y === startY && next === startDirection) break;
    if (next !== heading) ring.push(x + offsetX, y + offsetY);
    visited[corner] |= 1 << next;
    x += STEP_X[next];
    y += STEP_Y[next];
    heading = next;
  }
  ring.push(startX + offsetX, startY + offsetY);
  return ring;
}

/**
 * Signed shoelace area of a flat closed ring in pixel units (positive for clockwise in y-down
 * space). Helper and self-check: Σ(exterior) − Σ(|holes|) must equal the component's pixel count.
 */
export function ringArea(ring: readonly number[]): number {
  let twiceArea = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    twiceArea += ring[i] * ring[i + 3] - ring[i + 2] * ring[i + 1];
  }
  return twiceArea / 2;
}
