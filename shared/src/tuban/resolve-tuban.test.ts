import { describe, expect, it } from 'vitest';
import type { AlertFeature } from '../alerts/alert-feature.js';
import type { Lattice } from '../grid/lattice.js';
import { traceOutline } from '../kernels/trace-outline.js';
import { mulberry32 } from '../kernels/test-random.js';
import { burnShape, touchingPixels, windowAround } from './lattice-footprint.js';
import { resolveTuban, type ResolveInput } from './resolve-tuban.js';
import { parseTubanNumber, tubanNumber } from './tuban-number.js';
import type { ObservationRecord } from './tuban-record.js';

const LATTICE: Lattice = { gridId: 'epsg32651-10x10-p0_0-t512', epsg: 32651, pixelWidth: 10, pixelHeight: 10, phaseX: 0, phaseY: 0, tileSize: 512 };

/** An observation of the pixel rectangle [c0,c1)×[r0,r1) on the test lattice (near 120.4°E, 32.5°N). */
function observation(id: string, [c0, r0, c1, r1]: [number, number, number, number], afterDate = '2024-02-15', region = '321202'): ObservationRecord {
  const pixels = (c1 - c0) * (r1 - r0);
  const feature = {
    type: 'Feature',
    id,
    geometry: { type: 'Polygon', coordinates: [] },
    bbox: [0, 0, 0, 0],
    properties: {
      tubanId: id, regionCode: region, batchId: `b-${afterDate}`, gridId: LATTICE.gridId, tileId: '0_0', beforeDate: '2024-01-15', afterDate,
      beforeSceneId: 's0', afterSceneId: 's1', platform: 'satellite', sensor: 'test', areaM2: pixels * 100, areaMu: (pixels * 100 * 15) / 10000,
      overlap: { farmland: { areaM2: 0, areaMu: 0 }, redline: { areaM2: 0, areaMu: 0 } }, elsewhere: { areaM2: pixels * 100, areaMu: (pixels * 100 * 15) / 10000 },
      changeScore: 3, changeType: 'construction', cloudFreeFraction: 1, indices: {}, severity: 'low', centroid: [120.4, 32.5],
      evidence: { before: `evidence/${id}/before.png`, after: `evidence/${id}/after.png`, overview: `evidence/${id}/overview.png`, manifest: `evidence/${id}/manifest.json` },
      maskVersions: {}, detector: 'test',
    },
  } as unknown as AlertFeature;
  return { schema: 'shoutu.observation/1', id, lattice: { ...LATTICE, phaseX: 400_000, phaseY: 3_600_000 }, shape: { outline: [[c0, r0, c1, r0, c1, r1, c0, r1, c0, r0]], pixelBbox: [c0, r0, c1, r1] }, pixelCount: pixels, feature };
}

const input = (observations: ObservationRecord[], extra: Partial<ResolveInput> = {}): ResolveInput => ({
  batchId: 'b',
  observations,
  prior: [],
  lastSequence: {},
  approvals: [],
  masks: new Map(),
  parameters: { regrowthFactor: 1.5, approvalCover: 0.9 },
  ...extra,
});

describe('图斑编号', () => {
  it('is county, year-month of the new epoch, and a four-digit sequence', () => {
    expect(tubanNumber('321202', '2024-02-15', 7)).toBe('321202-202402-0007');
    expect(parseTubanNumber('321202-202402-0007')).toEqual({ period: '321202-202402', sequence: 7 });
    expect(parseTubanNumber('321202-taizhou-2003-02-0c522687f4c3')).toBeNull();
    expect(() => tubanNumber('321202', '2024-02-15', 0)).toThrow(RangeError);
  });
});

describe('lattice footprints', () => {
  it('burning a traced outline gives back exactly the traced pixels (random shapes, with holes)', () => {
    const random = mulberry32(5);
    for (let trial = 0; trial < 50; trial++) {
      const w = 24, h = 20;
      const labels = new Int32Array(w * h);
      for (let i = 0; i < labels.length; i++) labels[i] = random() < 0.6 ? 1 : 0;
      // keep the component of the first set pixel only: flood fill (8-connected)
      const seed = labels.indexOf(1);
      const keep = new Uint8Array(w * h);
      const stack = [seed];
      keep[seed] = 1;
      while (stack.length) {
        const p = stack.pop()!;
        const x = p % w, y = (p / w) | 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy, q = yy * w + xx;
          if (xx >= 0 && xx < w && yy >= 0 && yy < h && labels[q] && !keep[q]) { keep[q] = 1; stack.push(q); }
        }
      }
      const component = Int32Array.from(keep);
      let minX = w, minY = h, maxX = 0, maxY = 0;
      component.forEach((v, i) => { if (v) { minX = Math.min(minX, i % w); maxX = Math.max(maxX, i % w); minY = Math.min(minY, (i / w) | 0); maxY = Math.max(maxY, (i / w) | 0); } });
      const rings = traceOutline(component, w, h, 1, minX, minY, maxX, maxY).map((r) => r.map((v, i) => v + (i % 2 === 0 ? 100 : 200)));
      const shape = { outline: rings, pixelBbox: [minX + 100, minY + 200, maxX + 101, maxY + 201] as [number, number, number, number] };
      const window = { col: 100, row: 200, width: w, height: h };
      const burnt = new Uint8Array(w * h);
      burnShape(shape, window, 1, burnt);
      expect([...burnt]).toEqual([...keep]);
      expect(windowAround([shape])).toEqual({ col: minX + 100, row: minY + 200, width: maxX - minX + 1, height: maxY - minY + 1 });
    }
  });

  it('counts pixels that overlap or 8-touch', () => {
    const a = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const diagonal = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const apart = Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(touchingPixels(a, diagonal, 3, 3)).toBe(1);
    expect(touchingPixels(a, apart, 3, 3)).toBe(0);
  });
});

describe('resolveTuban', () => {
  it('numbers new sites in observation-id order, continuing the period’s last sequence', () => {
    const out = resolveTuban(input([observation('b', [30, 0, 34, 4]), observation('a', [0, 0, 4, 4]), observation('c', [0, 0, 4, 4], '2024-03-02')], { lastSequence: { '321202-202402': 6 } }));
    expect(out.map((v) => [v.tubanId, v.observationIds])).toEqual([
      ['321202-202402-0007', ['a', 'c']], // c (March) touches a: the same site, numbered when first found
      ['321202-202402-0008', ['b']],
    ]);
    expect(out[0]!.feature.properties.observations!.map((o) => o.afterDate)).toEqual(['2024-02-15', '2024-03-02']);
  });

  it('continues a prior 图斑 when an observation touches its footprint, and the union grows', () => {
    const [first] = resolveTuban(input([observation('a', [0, 0, 4, 4])]));
    const touching = observation('n', [4, 4, 8, 8], '2024-03-15'); // corner to corner
    const apart = observation('m', [5, 0, 8, 3], '2024-03-15'); // one empty column between
    const out = resolveTuban(input([touching, apart], { batchId: 'b2', prior: [{ version: first!, case: { status: 'dispatched', verdict: null, judgedAreaM2: null } }] }));
    const continued = out.find((v) => v.tubanId === first!.tubanId)!;
    expect(continued.version).toBe(2);
    expect(continued.action).toBe('update');
    expect(continued.observationIds).toEqual(['a', 'n']);
    expect(continued.pixelCount).toBe(32);
    expect(continued.shape.pixelBbox).toEqual([0, 0, 8, 8]);
    expect(out.find((v) => v.tubanId !== first!.tubanId)!.observationIds).toEqual(['m']);
  });

  it('is a pure function: same inputs, same versions, in any input order', () => {
    const obs = [observation('x', [0, 0, 4, 4]), observation('y', [10, 10, 20, 20]), observation('z', [4, 0, 6, 2])];
    expect(JSON.stringify(resolveTuban(input([...obs].reverse())))).toBe(JSON.stringify(resolveTuban(input(obs))));
  });

  it('never joins observations of different counties', () => {
    const out = resolveTuban(input([observation('a', [0, 0, 4, 4], '2024-02-15', '321202'), observation('b', [0, 0, 4, 4], '2024-02-15', '321203')]));
    expect(out.map((v) => v.tubanId)).toEqual(['321202-202402-0001', '321203-202402-0001']);
  });
});
