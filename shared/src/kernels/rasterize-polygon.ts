/**
 * Even-odd scanline fill of one polygon given in pixel coordinates (x right, y down; pixel (i,j)
 * covers [i,i+1)×[j,j+1)). A pixel is inside when its centre (i+0.5, j+0.5) is inside.
 *
 * Tie rule (centres exactly on the boundary), half-open in both axes:
 *  - an edge from (xa,ya) to (xb,yb) crosses row centre yc when min(ya,yb) <= yc < max(ya,yb);
 *    horizontal edges never cross;
 *  - between a pair of sorted crossings xL <= xR, the pixels with xL <= xc < xR are filled.
 * So a centre on a left or top boundary is inside, on a right or bottom boundary outside. Two polygons
 * sharing an edge never both claim a pixel and leave no gap between them.
 *
 * coords: Float64Array of all rings' vertices [x,y,...]; ringStarts: Uint32Array of vertex offsets with
 * length ringCount+1 (ring k = vertices ringStarts[k] .. ringStarts[k+1]-1; closing vertex optional).
 * xs: scratch Float64Array with length >= total vertex count. ORs value into out (width*height).
 * No allocation inside. Edges with a non-finite end point are ignored.
 */
export function fillPolygon(
  coords: Float64Array,
  ringStarts: Uint32Array,
  ringCount: number,
  width: number,
  height: number,
  value: number,
  out: Uint8Array,
  xs: Float64Array,
): void {
  if (ringCount <= 0 || width <= 0 || height <= 0) return;
  const vertexEnd = ringStarts[ringCount]!;
  if (vertexEnd * 2 > coords.length) throw new RangeError('fillPolygon: ringStarts point past the end of coords');
  if (xs.length < vertexEnd) throw new RangeError('fillPolygon: xs scratch is shorter than the vertex count');
  if (out.length < width * height) throw new RangeError('fillPolygon: out is smaller than width*height');

  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  for (let v = ringStarts[0]!; v < vertexEnd; v++) {
    const x = coords[2 * v]!;
    const y = coords[2 * v + 1]!;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
  }
  if (!(minY <= maxY) || !(minX <= maxX)) return; // no finite vertex
  if (maxX < 0 || minX > width) return; // entirely left or right of the window
  // rows whose centre j+0.5 lies in [minY, maxY)
  let j0 = Math.ceil(minY - 0.5);
  let j1 = Math.ceil(maxY - 0.5) - 1;
  if (j0 < 0) j0 = 0;
  if (j1 > height - 1) j1 = height - 1;
  if (j0 > j1) return;

  const v8 = value & 0xff;
  for (let j = j0; j <= j1; j++) {
    const yc = j + 0.5;
    let n = 0;
    for (let k = 0; k < ringCount; k++) {
      const start = ringStarts[k]!;
      const end = ringStarts[k + 1]!;
      if (end - start < 2) continue;
      let xa = coords[2 * (end - 1)]!;
      let ya = coords[2 * (end - 1) + 1]!;
      for (let v = start; v < end; v++) {
        const xb = coords[2 * v]!;
        const yb = coords[2 * v + 1]!;
        if (ya <= yb ? ya <= yc && yc < yb : yb <= yc && yc < ya) {
          const x = xa + ((yc - ya) * (xb - xa)) / (yb - ya);
          if (Number.isFinite(x)) xs[n++] = x;
        }
        xa = xb;
        ya = yb;
      }
    }
    if (n < 2) continue;
    sortPrefix(xs, n);
    const row = j * width;
    for (let m = 0; m + 1 < n; m += 2) {
      // pixels with xL <= i + 0.5 < xR
      let i0 = Math.ceil(xs[m]! - 0.5);
      let i1 = Math.ceil(xs[m + 1]! - 0.5) - 1;
      if (i0 < 0) i0 = 0;
      if (i1 > width - 1) i1 = width - 1;
      for (let i = i0; i <= i1; i++) out[row + i]! |= v8;
    }
  }
}

/** Sorts xs[0..n) ascending in place without allocating (insertion sort for short runs, heapsort otherwise). */
function sortPrefix(xs: Float64Array, n: number): void {
  if (n <= 24) {
    for (let i = 1; i < n; i++) {
      const v = xs[i]!;
      let k = i - 1;
      while (k >= 0 && xs[k]! > v) {
        xs[k + 1] = xs[k]!;
        k--;
      }
      xs[k + 1] = v;
    }
    return;
  }
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(xs, i, n);
  for (let end = n - 1; end > 0; end--) {
    const t = xs[0]!;
    xs[0] = xs[end]!;
    xs[end] = t;
    siftDown(xs, 0, end);
  }
}

function siftDown(xs: Float64Array, root: number, n: number): void {
  let r = root;
  for (;;) {
    let child = 2 * r + 1;
    if (child >= n) return;
    if (child + 1 < n && xs[child + 1]! > xs[child]!) child++;
    if (xs[r]! >= xs[child]!) return;
    const t = xs[r]!;
    xs[r] = xs[child]!;
    xs[child] = t;
    r = child;
  }
}
