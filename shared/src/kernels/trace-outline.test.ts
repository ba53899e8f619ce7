import { describe, expect, it } from 'vitest';
import { componentStats } from './component-stats.js';
import { labelComponents, labelScratchLength } from './label-components.js';
import { blobMask, mulberry32, noiseMask, randomInt } from './test-random.js';
import { ringArea, traceOutline } from './trace-outline.js';

/** Parses rows of digits (spaces ignored) into labels. */
function grid(...rows: string[]): Int32Array {
  return Int32Array.from(rows.join('').replace(/ /g, ''), (c) => Number(c));
}

/** Bbox of `label` by brute force. */
function bbox(labels: Int32Array, width: number, label: number): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  labels.forEach((l, i) => {
    if (l !== label) return;
    const x = i % width;
    const y = Math.floor(i / width);
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  });
  return [minX, minY, maxX, maxY];
}

function outline(labels: Int32Array, width: number, height: number, label: number): number[][] {
  return traceOutline(labels, width, height, label, ...bbox(labels, width, label));
}

describe('traceOutline', () => {
  it('single pixel: unit square, clockwise in y-down space, starting top-left', () => {
    const labels = grid('000', '010', '000');
    const rings = outline(labels, 3, 3, 1);
    expect(rings).toEqual([[1, 1, 2, 1, 2, 2, 1, 2, 1, 1]]);
    expect(ringArea(rings[0])).toBe(1);
  });

  it('L-shape: only corner vertices, no collinear ones', () => {
    const labels = grid('10', '10', '11');
    const rings = outline(labels, 2, 3, 1);
    expect(rings).toEqual([[0, 0, 1, 0, 1, 2, 2, 2, 2, 3, 0, 3, 0, 0]]);
    expect(ringArea(rings[0])).toBe(4);
  });

  it('component filling the whole array (touching every edge)', () => {
    const rings = outline(grid('111', '111'), 3, 2, 1);
    expect(rings).toEqual([[0, 0, 3, 0, 3, 2, 0, 2, 0, 0]]);
  });

  it('ring with a one-pixel hole: hole counter-clockwise (negative area)', () => {
    const labels = grid(
      '00000',
      '01110',
      '01010',
      '01110',
      '00000',
    );
    const rings = outline(labels, 5, 5, 1);
    expect(rings).toEqual([
      [1, 1, 4, 1, 4, 4, 1, 4, 1, 1],
      [2, 2, 2, 3, 3, 3, 3, 2, 2, 2],
    ]);
    expect(ringArea(rings[0])).toBe(9);
    expect(ringArea(rings[1])).toBe(-1);
  });

  it('a hole is a hole whatever label its pixels carry; the inner component traces on its own', () => {
    const labels = grid(
      '11111',
      '10001',
      '10201',
      '10001',
      '11111',
    );
    expect(outline(labels, 5, 5, 1)).toEqual([
      [0, 0, 5, 0, 5, 5, 0, 5, 0, 0],
      [1, 1, 1, 4, 4, 4, 4, 1, 1, 1],
    ]);
    expect(outline(labels, 5, 5, 2)).toEqual([[2, 2, 3, 2, 3, 3, 2, 3, 2, 2]]);
    // a hole filled entirely by another label is still a hole
    const filled = grid('111', '121', '111');
    expect(outline(filled, 3, 3, 1)).toEqual([
      [0, 0, 3, 0, 3, 3, 0, 3, 0, 0],
      [1, 1, 1, 2, 2, 2, 2, 1, 1, 1],
    ]);
  });

  it('holes come sorted by first vertex (smallest y, then x)', () => {
    const labels = grid(
      '11111',
      '11101',
      '11111',
      '10111',
      '11111',
    );
    expect(outline(labels, 5, 5, 1)).toEqual([
      [0, 0, 5, 0, 5, 5, 0, 5, 0, 0],
      [3, 1, 3, 2, 4, 2, 4, 1, 3, 1],
      [1, 3, 1, 4, 2, 4, 2, 3, 1, 3],
    ]);
  });

  it('two pixels touching at a corner (↘) form one ring through the shared corner twice', () => {
    const rings = outline(grid('10', '01'), 2, 2, 1);
    expect(rings).toEqual([[0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 1, 2, 1, 1, 0, 1, 0, 0]]);
    expect(ringArea(rings[0])).toBe(2);
  });

  it('two pixels touching at a corner (↙) form one ring through the shared corner twice', () => {
    const rings = outline(grid('01', '10'), 2, 2, 1);
    expect(rings).toEqual([[1, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2, 0, 1, 1, 1, 1, 0]]);
    expect(ringArea(rings[0])).toBe(2);
  });

  it('3×3 checkerboard component: one ring through four saddle corners, each twice', () => {
    const rings = outline(grid('101', '010', '101'), 3, 3, 1);
    expect(rings).toEqual([
      [
        0, 0, 1, 0, 1, 1, 2, 1, 2, 0, 3, 0, 3, 1, 2, 1, 2, 2, 3, 2, 3, 3, 2, 3, 2, 2, 1, 2, 1, 3, 0, 3, 0, 2, 1, 2,
        1, 1, 0, 1, 0, 0,
      ],
    ]);
    expect(ringArea(rings[0])).toBe(5);
  });

  it('diagonal-only hole: a 4-connected background region enclosed through saddles', () => {
    // the member pixels form an 8-connected diamond; the background pixels (2,1), (1,2), (2,2),
    // (3,2), (2,3) form one 4-connected region whose 4-neighbours are all members: a hole of 5
    const labels = grid(
      '00100',
      '01010',
      '10001',
      '01010',
      '00100',
    );
    const rings = outline(labels, 5, 5, 1);
    expect(rings.length).toBe(2);
    expect(ringArea(rings[0]) + ringArea(rings[1])).toBe(8);
    expect(ringArea(rings[1])).toBe(-5);
    expect(rings[1].slice(0, 2)).toEqual([2, 1]);
  });

  it('the search is limited to the bbox and uses array coordinates', () => {
    const labels = grid('0000', '0011', '0010');
    expect(traceOutline(labels, 4, 3, 1, 2, 1, 3, 2)).toEqual([[2, 1, 4, 1, 4, 2, 3, 2, 3, 3, 2, 3, 2, 1]]);
    // a bbox without the label yields no rings
    expect(traceOutline(labels, 4, 3, 1, 0, 0, 1, 0)).toEqual([]);
    expect(() => traceOutline(labels, 4, 3, 1, 2, 1, 4, 2)).toThrow(RangeError);
  });

  it('ringArea: shoelace sign follows orientation', () => {
    expect(ringArea([0, 0, 2, 0, 2, 3, 0, 3, 0, 0])).toBe(6);
    expect(ringArea([0, 0, 0, 3, 2, 3, 2, 0, 0, 0])).toBe(-6);
    expect(ringArea([])).toBe(0);
  });
});

/** Even-odd point-in-rings test for a pixel centre (never on an integer edge). */
function insideRings(rings: number[][], px: number, py: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const [x0, y0, x1, y1] = [ring[i], ring[i + 1], ring[i + 2], ring[i + 3]];
      if (y0 > py !== y1 > py && px < x0 + ((py - y0) * (x1 - x0)) / (y1 - y0)) inside = !inside;
    }
  }
  return inside;
}

/** Number of 4-connected non-member regions in the bbox not connected to the bbox border. */
function countHoles(labels: Int32Array, width: number, label: number, box: number[]): number {
  const [minX, minY, maxX, maxY] = box;
  const w = maxX - minX + 3;
  const h = maxY - minY + 3;
  const seen = new Uint8Array(w * h);
  const member = (x: number, y: number): boolean =>
    x >= 1 && y >= 1 && x < w - 1 && y < h - 1 && labels[(y - 1 + minY) * width + (x - 1 + minX)] === label;
  let regions = 0;
  for (let start = 0; start < w * h; start++) {
    if (seen[start] || member(start % w, Math.floor(start / w))) continue;
    regions++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % w;
      const y = Math.floor(i / w);
      for (const [nx, ny] of [
        [x + 1, y],
        [x - 1, y],
        [x, y + 1],
        [x, y - 1],
      ]) {
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (!seen[j] && !member(nx, ny)) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return regions - 1; // the region containing the padding border is the outside
}

describe('traceOutline properties on labelled random masks', () => {
  it('area, orientation, integrality, start vertex, hole count and coverage hold for every component', () => {
    const random = mulberry32(7946);
    let checked = 0;
    let holesSeen = 0;
    let saddlesSeen = 0;
    for (let trial = 0; trial < 160; trial++) {
      const width = randomInt(random, 1, 24);
      const height = randomInt(random, 1, 24);
      const mask =
        trial % 2 === 0
          ? noiseMask(random, width, height, 0.2 + random() * 0.6)
          : blobMask(random, width, height, 0.3, 0.02);
      const labels = new Int32Array(width * height);
      const n = labelComponents(mask, width, height, labels, new Int32Array(labelScratchLength(width, height)));
      const stats = componentStats(labels, n, width, height, new Float32Array(width * height), new Uint8Array(width * height), 1);
      for (let l = 1; l <= n; l++) {
        const box = [stats.minX[l], stats.minY[l], stats.maxX[l], stats.maxY[l]];
        const rings = traceOutline(labels, width, height, l, box[0], box[1], box[2], box[3]);
        expect(rings.length).toBeGreaterThanOrEqual(1);

        const areas = rings.map(ringArea);
        expect(areas[0]).toBeGreaterThan(0);
        for (const a of areas.slice(1)) expect(a).toBeLessThan(0);
        expect(areas.reduce((s, a) => s + a, 0)).toBe(stats.pixelCount[l]);
        expect(rings.length - 1).toBe(countHoles(labels, width, l, box));
        holesSeen += rings.length - 1;

        const firstVertices: [number, number][] = [];
        for (const ring of rings) {
          expect(ring.length % 2).toBe(0);
          expect(ring.length).toBeGreaterThanOrEqual(10);
          expect(ring.slice(-2)).toEqual(ring.slice(0, 2));
          const count = ring.length / 2 - 1;
          let minKey = Infinity;
          const seen = new Set<number>();
          for (let v = 0; v < count; v++) {
            const x = ring[2 * v];
            const y = ring[2 * v + 1];
            expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
            expect(x >= box[0] && x <= box[2] + 1 && y >= box[1] && y <= box[3] + 1).toBe(true);
            minKey = Math.min(minKey, y * 10000 + x);
            const key = y * 10000 + x;
            if (seen.has(key)) saddlesSeen++;
            seen.add(key);
            // axis-aligned edges, and a real turn at every vertex (no collinear vertices)
            const prev = (v + count - 1) % count;
            const next = (v + 1) % count;
            const dx0 = x - ring[2 * prev];
            const dy0 = y - ring[2 * prev + 1];
            const dx1 = ring[2 * next] - x;
            const dy1 = ring[2 * next + 1] - y;
            expect((dx0 === 0) !== (dy0 === 0)).toBe(true);
            expect((dx1 === 0) !== (dy1 === 0)).toBe(true);
            expect(dx0 * dy1 - dy0 * dx1).not.toBe(0);
          }
          // the ring starts at its smallest-y, then smallest-x vertex
          expect(ring[1] * 10000 + ring[0]).toBe(minKey);
          firstVertices.push([ring[0], ring[1]]);
        }
        const holeStarts = firstVertices.slice(1).map(([x, y]) => y * 10000 + x);
        expect(holeStarts).toEqual([...holeStarts].sort((a, b) => a - b));

        // even-odd rasterisation of the rings reproduces the component exactly
        for (let y = box[1]; y <= box[3]; y++) {
          for (let x = box[0]; x <= box[2]; x++) {
            expect(insideRings(rings, x + 0.5, y + 0.5)).toBe(labels[y * width + x] === l);
          }
        }
        checked++;
      }
    }
    // make sure the random cases actually exercised holes and saddles
    expect(checked).toBeGreaterThan(500);
    expect(holesSeen).toBeGreaterThan(100);
    expect(saddlesSeen).toBeGreaterThan(100);
  });
});
