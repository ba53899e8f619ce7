/**
 * Naive reference implementations of the kernels, written as directly from each specification
 * as possible (bounds checks per neighbour, recomputation instead of running sums, flood fill
 * instead of union-find). Used by the property tests as the oracle and by the benchmarks as a
 * "naive" speed baseline; not for production use.
 *
 * Layouts are those of the kernels: band-sequential Float32 imagery (band b at (x, y) is
 * planar[b*width*height + y*width + x]), row-major Uint8Array masks, valid means valid[i] === 1.
 */

/** Validity of both epochs from scratch: 1 where every band of every epoch is finite and != nodata. */
export function referenceValidMask(
  epochs: readonly Float32Array[],
  width: number,
  height: number,
  bands: number,
  nodata: number | null,
): Uint8Array {
  const pixels = width * height;
  const valid = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    let ok = true;
    for (const planar of epochs) {
      for (let b = 0; b < bands; b++) {
        const v = planar[b * pixels + i];
        if (!Number.isFinite(v)) ok = false;
        if (nodata !== null && v === Math.fround(nodata)) ok = false;
      }
    }
    valid[i] = ok ? 1 : 0;
  }
  return valid;
}

/** Two-pass mean and population standard deviation per band over valid pixels. */
export function referenceBandStats(
  planar: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
): { mean: number[]; std: number[]; count: number[] } {
  const pixels = width * height;
  const mean: number[] = [];
  const std: number[] = [];
  const count: number[] = [];
  for (let b = 0; b < bands; b++) {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < pixels; i++) {
      if (valid[i] === 1) {
        n++;
        sum += planar[b * pixels + i];
      }
    }
    const m = n > 0 ? sum / n : 0;
    let squares = 0;
    for (let i = 0; i < pixels; i++) {
      if (valid[i] === 1) squares += (planar[b * pixels + i] - m) ** 2;
    }
    mean.push(m);
    std.push(n > 0 ? Math.sqrt(squares / n) : 0);
    count.push(n);
  }
  return { mean, std, count };
}

/** Change vector magnitude, formula as specified, one pixel at a time. */
export function referenceChangeVector(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  bands: number,
  valid: Uint8Array,
  beforeMean: Float64Array,
  beforeStd: Float64Array,
  afterMean: Float64Array,
  afterStd: Float64Array,
  out: Float32Array,
): void {
  const pixels = width * height;
  for (let i = 0; i < pixels; i++) {
    if (valid[i] !== 1) {
      out[i] = 0;
      continue;
    }
    let sum = 0;
    for (let b = 0; b < bands; b++) {
      const zAfter = afterStd[b] > 0 && Number.isFinite(afterStd[b]) ? (after[b * pixels + i] - afterMean[b]) / afterStd[b] : 0;
      const zBefore =
        beforeStd[b] > 0 && Number.isFinite(beforeStd[b]) ? (before[b * pixels + i] - beforeMean[b]) / beforeStd[b] : 0;
      sum += Math.pow(zAfter - zBefore, 2);
    }
    out[i] = Math.sqrt(sum / bands);
  }
}

/** NDVI drop, formula as specified. */
export function referenceNdviDrop(
  before: Float32Array,
  after: Float32Array,
  width: number,
  height: number,
  redBand: number,
  nirBand: number,
  valid: Uint8Array,
  out: Float32Array,
): void {
  const pixels = width * height;
  const ndvi = (planar: Float32Array, i: number): number => {
    const red = planar[redBand * pixels + i];
    const nir = planar[nirBand * pixels + i];
    return nir + red > 0 ? (nir - red) / (nir + red) : 0;
  };
  for (let i = 0; i < pixels; i++) out[i] = valid[i] === 1 ? ndvi(before, i) - ndvi(after, i) : 0;
}

/** Histogram counts, formula as specified. */
export function referenceHistogram(
  values: Float32Array,
  valid: Uint8Array,
  length: number,
  min: number,
  max: number,
  bins: number,
): number[] {
  const hist = new Array<number>(bins).fill(0);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (valid[i] !== 1 || Number.isNaN(v)) continue;
    let bin = v < min ? 0 : v >= max ? bins - 1 : Math.floor(((v - min) / (max - min)) * bins);
    bin = Math.min(bin, bins - 1);
    hist[bin]++;
  }
  return hist;
}

/**
 * Otsu by brute force: for every split k, recompute both class weights and means from the bins
 * and take the first k with the largest ω0·ω1·(μ1 − μ0)². Returns the threshold value.
 */
export function referenceOtsu(hist: ArrayLike<number>, min: number, max: number): number {
  const bins = hist.length;
  const populated = Array.from(hist).filter((h) => h > 0).length;
  if (populated < 2) return max;
  let bestK = -1;
  let best = -Infinity;
  for (let k = 0; k < bins - 1; k++) {
    let w0 = 0;
    let s0 = 0;
    let w1 = 0;
    let s1 = 0;
    for (let j = 0; j < bins; j++) {
      const h = hist[j] > 0 ? hist[j] : 0;
      if (j <= k) {
        w0 += h;
        s0 += j * h;
      } else {
        w1 += h;
        s1 += j * h;
      }
    }
    if (w0 === 0 || w1 === 0) continue;
    const between = w0 * w1 * (s1 / w1 - s0 / w0) ** 2;
    if (between > best) {
      best = between;
      bestK = k;
    }
  }
  return min + (bestK + 1) * ((max - min) / bins);
}

/** 3×3 erosion (`erode`) or dilation with the window clipped to the array, nine bounds-checked reads per pixel. */
export function referenceMorphology(
  src: Uint8Array,
  width: number,
  height: number,
  erode: boolean,
  out: Uint8Array,
): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let all = true;
      let any = false;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          if (src[ny * width + nx] !== 0) any = true;
          else all = false;
        }
      }
      out[y * width + x] = (erode ? all : any) ? 1 : 0;
    }
  }
}

/**
 * 8-connected labelling by flood fill from each unlabelled foreground pixel in raster order
 * (so components are numbered by their first pixel, as specified). Returns n.
 */
export function referenceLabelComponents(mask: Uint8Array, width: number, height: number, labels: Int32Array): number {
  labels.fill(0, 0, width * height);
  const stack = new Int32Array(width * height);
  let n = 0;
  for (let start = 0; start < width * height; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    n++;
    labels[start] = n;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const i = stack[--top];
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const j = ny * width + nx;
          if (mask[j] !== 0 && labels[j] === 0) {
            labels[j] = n;
            stack[top++] = j;
          }
        }
      }
    }
  }
  return n;
}

/**
 * Per-component statistics pixel by pixel in raster order, as specified in component-stats.ts
 * (labels <= 0 are background; result arrays have length n + 1, index 0 untouched). The score sum
 * of a component adds its pixels' float32 scores in raster order, so an implementation that
 * keeps that order matches it exactly.
 */
export function referenceComponentStats(
  labels: Int32Array,
  n: number,
  width: number,
  height: number,
  score: Float32Array,
  classes: Uint8Array,
  classBits: number,
): {
  pixelCount: Int32Array;
  minX: Int32Array;
  minY: Int32Array;
  maxX: Int32Array;
  maxY: Int32Array;
  sumX: Float64Array;
  sumY: Float64Array;
  sumScore: Float64Array;
  classCount: Int32Array;
} {
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
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const l = labels[i];
      if (l <= 0) continue;
      if (l > n) throw new RangeError(`label ${l} at (${x}, ${y}) exceeds n = ${n}`);
      pixelCount[l]++;
      minX[l] = Math.min(minX[l], x);
      minY[l] = Math.min(minY[l], y);
      maxX[l] = Math.max(maxX[l], x);
      maxY[l] = Math.max(maxY[l], y);
      sumX[l] += x + 0.5;
      sumY[l] += y + 0.5;
      sumScore[l] += score[i];
      for (let k = 0; k < classBits; k++) classCount[l * classBits + k] += (classes[i] >> k) & 1;
    }
  }
  return { pixelCount, minX, minY, maxX, maxY, sumX, sumY, sumScore, classCount };
}

/**
 * Outline rings of every component 1…n, naively: each member pixel side facing a non-member (or
 * the array edge) becomes a directed unit edge (member on its right, y down) in a map keyed by
 * corner; rings are followed through the map, turning left at a corner with two ways out (the
 * 8-connected saddle rule of traceOutline). Rings come in discovery order, with collinear vertices
 * kept, so only their areas compare with traceOutline's (Σ ringArea = pixel count).
 */
export function referenceTraceOutlines(labels: Int32Array, width: number, height: number, n: number): number[][][] {
  const edgesByLabel: Array<Map<string, number[]>> = Array.from({ length: n + 1 }, () => new Map());
  const labelAt = (x: number, y: number): number => (x >= 0 && y >= 0 && x < width && y < height ? labels[y * width + x]! : 0);
  const add = (label: number, x: number, y: number, direction: number): void => {
    const key = `${x},${y}`;
    const edges = edgesByLabel[label]!;
    const list = edges.get(key);
    if (list) list.push(direction);
    else edges.set(key, [direction]);
  };
  const stepX = [1, 0, -1, 0];
  const stepY = [0, 1, 0, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x]!;
      if (l === 0) continue;
      if (labelAt(x, y - 1) !== l) add(l, x, y, 0); // top side, eastwards
      if (labelAt(x + 1, y) !== l) add(l, x + 1, y, 1); // right side, southwards
      if (labelAt(x, y + 1) !== l) add(l, x + 1, y + 1, 2); // bottom side, westwards
      if (labelAt(x - 1, y) !== l) add(l, x, y + 1, 3); // left side, northwards
    }
  }
  const out: number[][][] = [[]];
  for (let l = 1; l <= n; l++) {
    const edges = edgesByLabel[l]!;
    const rings: number[][] = [];
    for (const [key, list] of edges) {
      while (list.length > 0) {
        let [x, y] = key.split(',').map(Number) as [number, number];
        let heading = list.shift()!;
        const ring = [x, y];
        for (;;) {
          x += stepX[heading]!;
          y += stepY[heading]!;
          ring.push(x, y);
          const here = edges.get(`${x},${y}`);
          if (!here || here.length === 0) break;
          const left = (heading + 3) & 3;
          const k = here.length > 1 && here.includes(left) ? here.indexOf(left) : 0;
          heading = here.splice(k, 1)[0]!;
        }
        rings.push(ring);
      }
    }
    out.push(rings);
  }
  return out;
}

const LINE_STEPS = [
  [1, 0],
  [0, 1],
  [1, 1],
  [-1, 1],
] as const;

/** Opening by a line segment (line-opening.ts) by its definition: the minimum over the clipped segment centred on each pixel, then the maximum of that over the same segments, sample by sample. */
export function referenceLineOpening(src: Float32Array, width: number, height: number, direction: 0 | 1 | 2 | 3, length: number): Float32Array {
  const r = (length - 1) / 2;
  const [dx, dy] = LINE_STEPS[direction];
  const along = (img: Float32Array, min: boolean) => {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = min ? Infinity : -Infinity;
        for (let k = -r; k <= r; k++) {
          const xx = x + k * dx;
          const yy = y + k * dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const s = img[yy * width + xx]!;
          v = min ? Math.min(v, s) : Math.max(v, s);
        }
        out[y * width + x] = v;
      }
    }
    return out;
  };
  return along(along(src, true), false);
}

/** buildingIndex (building-index.ts) from referenceLineOpening, with the same float32 accumulation. */
export function referenceBuildingIndex(src: Float32Array, width: number, height: number, short: number, long: number, out: Float32Array): void {
  out.fill(0);
  for (let d = 0; d < 4; d++) {
    const a = referenceLineOpening(src, width, height, d as 0 | 1 | 2 | 3, short);
    const b = referenceLineOpening(src, width, height, d as 0 | 1 | 2 | 3, long);
    for (let i = 0; i < width * height; i++) out[i] = out[i]! + (a[i]! - b[i]!);
  }
  for (let i = 0; i < width * height; i++) out[i] = out[i]! * 0.25;
}

/**
 * Reference for rosinThreshold: Rosin's construction as drawn — the perpendicular distance of each bin top
 * (k, h_k) after the peak from the line through the peak's top and (first empty bin after the last filled
 * one, 0), bins below the line only; the farthest (first among equals) is the split.
 */
export function referenceRosin(hist: ArrayLike<number>, min: number, max: number): number {
  const h = Array.from(hist, (v) => (v > 0 ? v : 0));
  const filled = h.map((v, k) => (v > 0 ? k : -1)).filter((k) => k >= 0);
  if (filled.length === 0) return max;
  const top = Math.max(...h);
  const peak = h.indexOf(top);
  const last = filled[filled.length - 1]!;
  if (last === peak) return max;
  const [x0, y0, x1, y1] = [peak, top, last + 1, 0];
  const length = Math.hypot(x1 - x0, y1 - y0);
  let best = 0;
  let bestK = peak;
  for (let k = peak + 1; k <= last; k++) {
    // signed: positive below the line (the line falls from left to right)
    const distance = ((x1 - x0) * (y0 - h[k]!) - (x0 - k) * (y1 - y0)) / length;
    if (distance > best) {
      best = distance;
      bestK = k;
    }
  }
  return min + (bestK + 1) * ((max - min) / h.length);
}
