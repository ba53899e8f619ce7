import { describe, expect, it } from 'vitest';
import { labelComponents, labelScratchLength } from './label-components.js';
import { outlineVertexCount, removeCollinear, simplifyOutline } from './simplify-outline.js';
import { blobMask, mulberry32, noiseMask } from './test-random.js';
import { ringArea, traceOutline } from './trace-outline.js';

type Point = [number, number];

const points = (ring: readonly number[]): Point[] => {
  const out: Point[] = [];
  for (let i = 0; i + 1 < ring.length; i += 2) out.push([ring[i]!, ring[i + 1]!]);
  return out;
};

const cross = (a: Point, b: Point, c: Point): number => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const onSegment = (p: Point, a: Point, b: Point): boolean =>
  cross(a, b, p) === 0 && Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
const same = (p: Point, q: Point): boolean => p[0] === q[0] && p[1] === q[1];

/**
 * Problems of a polygon's rings: edges that cross, vertices inside another edge, collinear overlaps,
 * and rings meeting at a point that was not a shared (saddle) vertex of the input.
 */
function topologyProblems(rings: number[][], sharedInInput: Set<string>): string[] {
  const edges: Array<{ a: Point; b: Point; ring: number; k: number; n: number }> = [];
  rings.forEach((ring, r) => {
    const p = points(ring);
    const n = p.length - 1;
    for (let k = 0; k < n; k++) edges.push({ a: p[k]!, b: p[k + 1]!, ring: r, k, n });
  });
  const problems: string[] = [];
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const e = edges[i]!;
      const f = edges[j]!;
      const adjacent = e.ring === f.ring && (Math.abs(e.k - f.k) === 1 || Math.abs(e.k - f.k) === e.n - 1);
      const o1 = cross(e.a, e.b, f.a), o2 = cross(e.a, e.b, f.b), o3 = cross(f.a, f.b, e.a), o4 = cross(f.a, f.b, e.b);
      if (o1 * o2 < 0 && o3 * o4 < 0) problems.push(`edges cross: ${e.a}-${e.b} × ${f.a}-${f.b}`);
      for (const [p, s] of [[f.a, e], [f.b, e], [e.a, f], [e.b, f]] as const) {
        if (!onSegment(p, s.a, s.b)) continue;
        if (same(p, s.a) || same(p, s.b)) {
          if (!adjacent && !sharedInInput.has(`${p}`)) problems.push(`rings touch at ${p}, not a shared input vertex`);
        } else problems.push(`vertex ${p} inside edge ${s.a}-${s.b}`);
      }
    }
  }
  return problems;
}

/** Even-odd point in polygon (p not on the boundary). */
function inside(p: Point, ring: number[]): boolean {
  const v = points(ring);
  let odd = false;
  for (let i = 0, j = v.length - 2; i < v.length - 1; j = i++) {
    const [xi, yi] = v[i]!;
    const [xj, yj] = v[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) odd = !odd;
  }
  return odd;
}

function polygonArea(rings: number[][]): number {
  return rings.reduce((sum, ring, r) => sum + (r === 0 ? Math.abs(ringArea(ring)) : -Math.abs(ringArea(ring))), 0);
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2)) : 0;
  return Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
}

describe('removeCollinear', () => {
  it('drops repeated and straight-through vertices, keeps corners', () => {
    expect(removeCollinear([0, 0, 2, 0, 4, 0, 4, 0, 4, 3, 0, 3, 0, 1, 0, 0])).toEqual([0, 0, 4, 0, 4, 3, 0, 3, 0, 0]);
    expect(removeCollinear([0, 0, 1, 0, 1, 1, 0, 1, 0, 0])).toEqual([0, 0, 1, 0, 1, 1, 0, 1, 0, 0]);
  });
  it('rejects unclosed and odd rings', () => {
    expect(() => removeCollinear([0, 0, 1, 0, 1, 1])).toThrow(/not closed/);
    expect(() => removeCollinear([0, 0, 1])).toThrow(/odd/);
  });
});

describe('simplifyOutline', () => {
  it('leaves a rectangle and a single pixel alone', () => {
    expect(simplifyOutline([[0, 0, 5, 0, 5, 3, 0, 3, 0, 0]])).toEqual([[0, 0, 5, 0, 5, 3, 0, 3, 0, 0]]);
    expect(simplifyOutline([[2, 2, 3, 2, 3, 3, 2, 3, 2, 2]])).toEqual([[2, 2, 3, 2, 3, 3, 2, 3, 2, 2]]);
  });

  it('straightens the staircases of a large digital disc, area within 1 %, within 1 px', () => {
    const size = 121;
    const labels = new Int32Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - 60) ** 2 + (y - 60) ** 2 <= 58 ** 2) labels[y * size + x] = 1;
    const rings = traceOutline(labels, size, size, 1, 0, 0, size - 1, size - 1);
    const simple = simplifyOutline(rings);
    const pixels = labels.reduce((s, v) => s + v, 0);
    expect(Math.abs(polygonArea(simple) - pixels) / pixels).toBeLessThanOrEqual(0.01);
    expect(outlineVertexCount(simple)).toBeLessThan(outlineVertexCount(rings) * 0.5);
    for (const p of points(rings[0]!)) {
      const s = points(simple[0]!);
      const d = Math.min(...s.slice(1).map((q, k) => distanceToSegment(p, s[k]!, q)));
      expect(d).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('rejects bad options and bad rings', () => {
    expect(() => simplifyOutline([[0, 0, 1, 0, 1, 1, 0, 1, 0, 0]], -1)).toThrow(/tolerance/);
    expect(() => simplifyOutline([[0, 0, 1, 0, 1, 1, 0, 1, 0, 0]], 1, NaN)).toThrow(/maxAreaChange/);
    expect(() => simplifyOutline([[0, 0, 1, 0, 1, 1, 0, 1]])).toThrow(/not closed/);
  });

  // The detector's settings (1 px, 1 %), and aggressive ones under which cuts across holes and
  // narrow gaps would happen without the topology rule.
  const settings = [
    { seed: 1, tolerance: 1, areaChange: 0.01 },
    { seed: 2, tolerance: 1, areaChange: 0.01 },
    { seed: 3, tolerance: 1, areaChange: 0.01 },
    { seed: 4, tolerance: 1, areaChange: 0.01 },
    { seed: 5, tolerance: 4, areaChange: 0.05 },
    { seed: 6, tolerance: 6, areaChange: 0.1 },
    { seed: 7, tolerance: 6, areaChange: 0.1 },
  ];
  for (const { seed, tolerance, areaChange } of settings) {
    it(`random blobs with holes (seed ${seed}, ${tolerance} px, ${areaChange * 100} %): area kept, simple rings, holes inside, deterministic`, () => {
      const random = mulberry32(seed);
      const width = 80;
      const height = 64;
      const blobs = blobMask(random, width, height, 0.4, 0);
      const holes = noiseMask(random, width, height, 0.04);
      const mask = blobs.map((v, i) => (v === 1 && holes[i] === 0 ? 1 : 0));
      const labels = new Int32Array(width * height);
      const n = labelComponents(mask, width, height, labels, new Int32Array(labelScratchLength(width, height)));
      let before = 0;
      let after = 0;
      let withHoles = 0;
      for (let label = 1; label <= n; label++) {
        const rings = traceOutline(labels, width, height, label, 0, 0, width - 1, height - 1);
        const pixels = labels.reduce((s, v) => s + (v === label ? 1 : 0), 0);
        const simple = simplifyOutline(rings, tolerance, areaChange);
        expect(simplifyOutline(rings, tolerance, areaChange)).toEqual(simple);
        expect(simple.length).toBe(rings.length);
        expect(Math.abs(polygonArea(simple) - pixels)).toBeLessThanOrEqual(areaChange * pixels);
        const count = new Map<string, number>();
        for (const ring of rings) for (const p of points(ring).slice(1)) count.set(`${p}`, (count.get(`${p}`) ?? 0) + 1);
        const shared = new Set([...count].filter(([, c]) => c > 1).map(([k]) => k));
        expect(topologyProblems(simple, shared)).toEqual([]);
        for (const [r, ring] of simple.entries()) {
          expect(ring.length).toBeGreaterThanOrEqual(10); // at least 4 vertices + closing
          expect(Math.sign(ringArea(ring))).toBe(Math.sign(ringArea(rings[r]!)));
          // every vertex is an input vertex
          const input = new Set(points(rings[r]!).map((p) => `${p}`));
          for (const p of points(ring)) expect(input.has(`${p}`)).toBe(true);
          if (r === 0) continue;
          const exteriorVertices = new Set(points(simple[0]!).map((p) => `${p}`));
          const probe = points(ring).find((p) => !exteriorVertices.has(`${p}`));
          if (probe) expect(inside(probe, simple[0]!)).toBe(true);
        }
        if (rings.length > 1) withHoles++;
        before += outlineVertexCount(rings);
        after += outlineVertexCount(simple);
      }
      expect(withHoles).toBeGreaterThan(0);
      expect(after).toBeLessThan(before * 0.9);
    });
  }
});
