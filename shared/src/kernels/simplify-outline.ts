/**
 * Simplification of a traced pixel-corner outline (exterior ring + holes, traceOutline's format).
 *
 * Layout: rings are flat closed arrays [x0,y0,x1,y1,…,x0,y0], ring 0 the exterior, the rest holes
 * (any orientation; traceOutline's is kept). Units: pixels. Output: the same format, each ring a
 * subsequence of its input vertices (no vertex is moved or added), starting at its first surviving
 * input vertex.
 *
 * Method: first lossless removal of repeated and collinear vertices (a vertex on the straight line
 * between its neighbours); then Visvalingam–Whyatt (Visvalingam & Whyatt 1993): repeatedly remove the
 * vertex whose triangle with its two neighbours has the smallest area, under three constraints that
 * make it safe for 图斑 geometry:
 *  - area: the net change of each ring's area stays within its share (by vertex count) of
 *    `maxAreaChange` × the polygon's area (exterior minus holes), so the polygon's area stays within
 *    that fraction of the pixel area. Signed changes are tracked, so on staircases the removals that
 *    cut a corner off and those that fill a notch balance each other.
 *  - distance: every input vertex between the two neighbours stays within `tolerance` pixels of the
 *    new edge, so the outline never departs from the pixels by more than that (a 45° staircase needs
 *    √2/2 ≈ 0.71 px to straighten).
 *  - topology: no other vertex of any ring of the polygon lies in the closed triangle of the removal.
 *    A new edge can only cross an existing edge if an end of that edge lies inside the triangle (it
 *    cannot leave through the triangle's two old edges), so rings stay simple, do not cross each
 *    other, and holes stay inside; vertices shared by two rings (8-connected saddle corners) are
 *    kept.
 * Removals refused by the area budget are retried after the others (the budget may have moved back);
 * others are retried when a neighbour changes. Rings keep at least 4 vertices. Ties in the area order
 * are broken by input position, so the result is deterministic. Coordinates are integers in practice
 * (areas and orientation tests are then exact); any finite values work.
 */

/** Removes repeated vertices and vertices on the straight line between their neighbours (lossless). */
export function removeCollinear(ring: readonly number[]): number[] {
  const open = openRing(ring);
  if (!hasRemovable(open)) return ring.slice(); // traced outlines: nothing to remove
  let xs = open.filter((_, i) => i % 2 === 0);
  let ys = open.filter((_, i) => i % 2 === 1);
  // A vertex goes when it repeats its predecessor or continues its neighbours' straight line; the
  // interior vertices of a straight run all go at once (straightness carries along the run). Repeat
  // until stable: dropping a repeat can straighten its neighbour. A ring that would fall below 3
  // vertices is degenerate and left as it is.
  for (;;) {
    const n = xs.length;
    const keepX: number[] = [];
    const keepY: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = (i + n - 1) % n;
      const q = (i + 1) % n;
      const repeated = xs[i] === xs[p] && ys[i] === ys[p];
      const straight = cross(xs[p]!, ys[p]!, xs[i]!, ys[i]!, xs[q]!, ys[q]!) === 0 && dot(xs[p]!, ys[p]!, xs[i]!, ys[i]!, xs[q]!, ys[q]!) > 0;
      if (repeated || straight) continue;
      keepX.push(xs[i]!);
      keepY.push(ys[i]!);
    }
    if (keepX.length === n || keepX.length < 3) break;
    xs = keepX;
    ys = keepY;
  }
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) out.push(xs[i]!, ys[i]!);
  if (xs.length > 0) out.push(xs[0]!, ys[0]!);
  return out;
}

/** True when some vertex of the open ring repeats its predecessor or lies straight between its neighbours. */
function hasRemovable(open: readonly number[]): boolean {
  const n = open.length / 2;
  for (let i = 0; i < n; i++) {
    const p = 2 * ((i + n - 1) % n);
    const q = 2 * ((i + 1) % n);
    const x = open[2 * i]!, y = open[2 * i + 1]!;
    if (x === open[p] && y === open[p + 1]) return true;
    if (cross(open[p]!, open[p + 1]!, x, y, open[q]!, open[q + 1]!) === 0 && dot(open[p]!, open[p + 1]!, x, y, open[q]!, open[q + 1]!) > 0) return true;
  }
  return false;
}

/** The ring without its closing vertex (validated: even length, closed). */
function openRing(ring: readonly number[]): readonly number[] {
  if (ring.length % 2 !== 0) throw new RangeError(`ring has an odd number of coordinates (${ring.length})`);
  if (ring.length === 0) return ring;
  const n = ring.length;
  if (ring[0] !== ring[n - 2] || ring[1] !== ring[n - 1]) throw new RangeError('ring is not closed (last vertex must repeat the first)');
  for (let i = 0; i < n; i++) if (!Number.isFinite(ring[i])) throw new RangeError(`ring coordinate ${i} is not finite`);
  return ring.slice(0, n - 2);
}

/** Twice the signed area of triangle (a, b, c): positive when clockwise in y-down space. */
function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** (b − a)·(c − b): positive when a → b → c goes on in the same direction. */
function dot(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cx - bx) + (by - ay) * (cy - by);
}

/** Squared distance from p to segment ab. */
function distanceSquaredToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  let t = length2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / length2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Min-heap of (area, vertex) pairs, ordered by area then vertex id. */
class RemovalQueue {
  private readonly area: number[] = [];
  private readonly vertex: number[] = [];

  get size(): number {
    return this.vertex.length;
  }

  private less(i: number, j: number): boolean {
    return this.area[i]! < this.area[j]! || (this.area[i] === this.area[j] && this.vertex[i]! < this.vertex[j]!);
  }

  private swap(i: number, j: number): void {
    [this.area[i], this.area[j]] = [this.area[j]!, this.area[i]!];
    [this.vertex[i], this.vertex[j]] = [this.vertex[j]!, this.vertex[i]!];
  }

  push(area: number, vertex: number): void {
    this.area.push(area);
    this.vertex.push(vertex);
    for (let i = this.vertex.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the smallest entry; returns its vertex (its area is `lastArea`). */
  pop(): number {
    const top = this.vertex[0]!;
    this.lastArea = this.area[0]!;
    const last = this.vertex.length - 1;
    this.swap(0, last);
    this.area.pop();
    this.vertex.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.less(l, m)) m = l;
      if (r < last && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }

  lastArea = 0;
}

/** Rounds of retrying the removals the area budget refused (each retry round is one more sweep). */
const MAX_BUDGET_ROUNDS = 8;

/** Cell size (pixels) of the vertex grid used for the triangle tests. */
const CELL = 8;

/**
 * Simplifies an outline (see the file header). `tolerance`: largest distance (pixels) of an input
 * vertex from the simplified ring; `maxAreaChange`: largest relative change of the polygon's area
 * (0.01 = 1 %). Returns new rings; the input is not modified.
 */
export function simplifyOutline(rings: readonly (readonly number[])[], tolerance = 1, maxAreaChange = 0.01): number[][] {
  if (!(tolerance >= 0 && tolerance < Infinity)) throw new RangeError(`tolerance must be a finite number >= 0, got ${tolerance}`);
  if (!(maxAreaChange >= 0 && maxAreaChange < Infinity)) throw new RangeError(`maxAreaChange must be a finite number >= 0, got ${maxAreaChange}`);
  const cleaned = rings.map(removeCollinear);
  if (cannotChange(cleaned, maxAreaChange)) return cleaned;
  // Flat vertex arrays over all rings: vertex v of ring r has id ringStart[r] + v.
  const ringCount = cleaned.length;
  const ringStart = new Int32Array(ringCount + 1);
  for (let r = 0; r < ringCount; r++) ringStart[r + 1] = ringStart[r]! + (cleaned[r]!.length - 2 > 0 ? (cleaned[r]!.length - 2) / 2 : 0);
  const total = ringStart[ringCount]!;
  if (total === 0) return cleaned;
  const xs = new Float64Array(total);
  const ys = new Float64Array(total);
  const ringOf = new Int32Array(total);
  const prev = new Int32Array(total);
  const next = new Int32Array(total);
  const alive = new Uint8Array(total).fill(1);
  const ringSize = new Int32Array(ringCount);
  const signedArea = new Float64Array(ringCount);
  for (let r = 0; r < ringCount; r++) {
    const ring = cleaned[r]!;
    const start = ringStart[r]!;
    const n = ringStart[r + 1]! - start;
    ringSize[r] = n;
    for (let v = 0; v < n; v++) {
      const id = start + v;
      xs[id] = ring[2 * v]!;
      ys[id] = ring[2 * v + 1]!;
      ringOf[id] = r;
      prev[id] = start + ((v + n - 1) % n);
      next[id] = start + ((v + 1) % n);
    }
    let twice = 0;
    for (let v = 0; v < n; v++) {
      const a = start + v;
      const b = next[a]!;
      twice += xs[a]! * ys[b]! - xs[b]! * ys[a]!;
    }
    signedArea[r] = twice / 2;
  }
  let polygonArea = ringCount > 0 ? Math.abs(signedArea[0]!) : 0;
  for (let r = 1; r < ringCount; r++) polygonArea -= Math.abs(signedArea[r]!);
  const budget = maxAreaChange * Math.max(polygonArea, 0);
  const ringBudget = Float64Array.from(ringSize, (n) => (budget * n) / total);
  // Integer vertices make every triangle area a multiple of 1/2 (collinear ones are gone): when no
  // ring's budget reaches that, nothing can go (most small patches), so skip the search.
  if (integerVertices(xs, ys) && ringBudget.every((b) => b < 0.5)) return cleaned;
  const ringChange = new Float64Array(ringCount);
  const tolerance2 = tolerance * tolerance;

  // Vertex grid (CSR): cells of CELL×CELL pixels over the outline's bbox.
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < total; i++) {
    if (xs[i]! < minX) minX = xs[i]!;
    if (xs[i]! > maxX) maxX = xs[i]!;
    if (ys[i]! < minY) minY = ys[i]!;
    if (ys[i]! > maxY) maxY = ys[i]!;
  }
  const gridWidth = Math.floor((maxX - minX) / CELL) + 1;
  const gridHeight = Math.floor((maxY - minY) / CELL) + 1;
  const cellOf = (x: number, y: number): number => Math.floor((y - minY) / CELL) * gridWidth + Math.floor((x - minX) / CELL);
  const cellStart = new Int32Array(gridWidth * gridHeight + 1);
  for (let i = 0; i < total; i++) cellStart[cellOf(xs[i]!, ys[i]!) + 1]!++;
  for (let c = 0; c < gridWidth * gridHeight; c++) cellStart[c + 1]! += cellStart[c]!;
  const cellVertices = new Int32Array(total);
  const fill = cellStart.slice(0, gridWidth * gridHeight);
  for (let i = 0; i < total; i++) cellVertices[fill[cellOf(xs[i]!, ys[i]!)]!++] = i;

  /** True when a live vertex other than a, b, c lies in the closed triangle abc. */
  const triangleBlocked = (a: number, b: number, c: number): boolean => {
    const ax = xs[a]!, ay = ys[a]!, bx = xs[b]!, by = ys[b]!, cx = xs[c]!, cy = ys[c]!;
    const x0 = Math.min(ax, bx, cx), x1 = Math.max(ax, bx, cx);
    const y0 = Math.min(ay, by, cy), y1 = Math.max(ay, by, cy);
    const gx0 = Math.floor((x0 - minX) / CELL), gx1 = Math.floor((x1 - minX) / CELL);
    const gy0 = Math.floor((y0 - minY) / CELL), gy1 = Math.floor((y1 - minY) / CELL);
    for (let gy = gy0; gy <= gy1; gy++) {
      for (let gx = gx0; gx <= gx1; gx++) {
        const cell = gy * gridWidth + gx;
        for (let k = cellStart[cell]!; k < cellStart[cell + 1]!; k++) {
          const p = cellVertices[k]!;
          if (alive[p] === 0 || p === a || p === b || p === c) continue;
          const px = xs[p]!, py = ys[p]!;
          if (px < x0 || px > x1 || py < y0 || py > y1) continue;
          const d1 = cross(ax, ay, bx, by, px, py);
          const d2 = cross(bx, by, cx, cy, px, py);
          const d3 = cross(cx, cy, ax, ay, px, py);
          const negative = d1 < 0 || d2 < 0 || d3 < 0;
          const positive = d1 > 0 || d2 > 0 || d3 > 0;
          if (!(negative && positive)) return true;
        }
      }
    }
    return false;
  };

  /** True when every input vertex strictly between a and c (ring order) is within tolerance of ac. */
  const withinTolerance = (a: number, c: number): boolean => {
    const r = ringOf[a]!;
    const start = ringStart[r]!;
    const end = ringStart[r + 1]!; // all input vertices of the ring, removed ones included
    const ax = xs[a]!, ay = ys[a]!, cx = xs[c]!, cy = ys[c]!;
    for (let v = a; ; ) {
      v = v + 1 < end ? v + 1 : start;
      if (v === c) return true;
      if (distanceSquaredToSegment(xs[v]!, ys[v]!, ax, ay, cx, cy) > tolerance2) return false;
    }
  };

  const queue = new RemovalQueue();
  const triangleArea = (b: number): number => Math.abs(cross(xs[prev[b]!]!, ys[prev[b]!]!, xs[b]!, ys[b]!, xs[next[b]!]!, ys[next[b]!]!)) / 2;
  // queuedArea[v]: area of v's latest queue entry (NaN once popped); entries with another area are stale.
  const queuedArea = new Float64Array(total).fill(NaN);
  const enqueue = (b: number): void => {
    const area = triangleArea(b);
    queuedArea[b] = area;
    queue.push(area, b);
  };
  for (let i = 0; i < total; i++) enqueue(i);

  let deferred: number[] = [];
  for (let round = 0; round < MAX_BUDGET_ROUNDS; round++) {
    let removed = 0;
    while (queue.size > 0) {
      const b = queue.pop();
      if (alive[b] === 0 || queue.lastArea !== queuedArea[b]) continue;
      queuedArea[b] = NaN;
      const r = ringOf[b]!;
      if (ringSize[r]! <= 4) continue;
      const a = prev[b]!;
      const c = next[b]!;
      // Removing b takes triangle abc off the ring's signed area.
      const change = -cross(xs[a]!, ys[a]!, xs[b]!, ys[b]!, xs[c]!, ys[c]!) / 2;
      const ringSign = signedArea[r]! < 0 ? -1 : 1;
      if (Math.abs(ringChange[r]! + change * ringSign) > ringBudget[r]!) {
        deferred.push(b);
        continue;
      }
      if (!withinTolerance(a, c) || triangleBlocked(a, b, c)) continue;
      alive[b] = 0;
      removed++;
      ringChange[r]! += change * ringSign;
      ringSize[r]!--;
      next[a] = c;
      prev[c] = a;
      enqueue(a);
      enqueue(c);
    }
    if (removed === 0 || deferred.length === 0) break;
    // Retry the removals the budget refused, in their original order.
    const retry = deferred.filter((b) => alive[b] === 1 && Number.isNaN(queuedArea[b]));
    deferred = [];
    for (const b of retry) enqueue(b);
    if (retry.length === 0) break;
  }

  const out: number[][] = [];
  for (let r = 0; r < ringCount; r++) {
    const start = ringStart[r]!;
    const end = ringStart[r + 1]!;
    let first = -1;
    for (let i = start; i < end; i++) {
      if (alive[i] === 1) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      out.push([]);
      continue;
    }
    const ring: number[] = [];
    let v = first;
    do {
      ring.push(xs[v]!, ys[v]!);
      v = next[v]!;
    } while (v !== first);
    ring.push(xs[first]!, ys[first]!);
    out.push(ring);
  }
  return out;
}

/**
 * True when no vertex can go: integer vertices make every triangle area a multiple of 1/2 (collinear
 * ones are gone), so when even the whole area budget is below that, nothing can (most small patches).
 * Checked before any allocation: it is the common case.
 */
function cannotChange(rings: readonly number[][], maxAreaChange: number): boolean {
  let area = 0;
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]!;
    let twice = 0;
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const x = ring[i]!, y = ring[i + 1]!;
      if (!Number.isInteger(x) || !Number.isInteger(y)) return false;
      twice += x * ring[i + 3]! - ring[i + 2]! * y;
    }
    area += r === 0 ? Math.abs(twice / 2) : -Math.abs(twice / 2);
  }
  return maxAreaChange * Math.max(area, 0) < 0.5;
}

function integerVertices(xs: Float64Array, ys: Float64Array): boolean {
  for (let i = 0; i < xs.length; i++) if (!Number.isInteger(xs[i]) || !Number.isInteger(ys[i])) return false;
  return true;
}

/** Total vertex count of rings in the flat closed format (closing vertices not counted). */
export function outlineVertexCount(rings: readonly (readonly number[])[]): number {
  let n = 0;
  for (const ring of rings) {
    n += ring.length > 0 ? ring.length / 2 - 1 : 0;
  }
  return n;
}
