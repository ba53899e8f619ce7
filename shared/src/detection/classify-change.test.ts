import { describe, expect, it } from 'vitest';
import { classifyChange, haloOf, HALO_PX, scoreWindow, windowValidity, Workspace, type ScoreModel, type WindowSamples } from './classify-change.js';
import { changeScores } from '../kernels/fuse-scores.js';
import { structureClosing, structureReach } from './structural-change.js';
import { labelComponents, labelScratchLength } from '../kernels/label-components.js';
import { mulberry32 } from '../kernels/test-random.js';

/** classifyChange of a decision given as a 0/1 mask (score = mask, threshold ½, every pixel valid). */
function clean(mask: Uint8Array, width: number, height: number, closing: number, into?: Workspace): Uint8Array {
  const scored = { valid: new Uint8Array(mask.length).fill(1), score: Float32Array.from(mask) };
  return classifyChange(scored, width, height, 0.5, true, null, into, closing).cleaned;
}

function components(mask: Uint8Array, width: number, height: number): number {
  return labelComponents(mask, width, height, new Int32Array(width * height), new Int32Array(labelScratchLength(width, height)));
}

/** Two 10 × 10 blocks side by side, `gap` columns apart, in a 40 × 20 raster. */
function twoBlocks(gap: number): Uint8Array {
  const mask = new Uint8Array(40 * 20);
  for (let y = 5; y < 15; y++) {
    for (let x = 5; x < 15; x++) mask[y * 40 + x] = 1;
    for (let x = 15 + gap; x < 25 + gap; x++) mask[y * 40 + x] = 1;
  }
  return mask;
}

describe('classifyChange: closing before the opening', () => {
  it('joins parts up to 2r apart, not farther, and leaves the decision itself alone', () => {
    const r = 3;
    expect(components(clean(twoBlocks(2 * r), 40, 20, r), 40, 20)).toBe(1);
    expect(components(clean(twoBlocks(2 * r + 1), 40, 20, r), 40, 20)).toBe(2);
    // without a closing the opening keeps them apart
    expect(components(clean(twoBlocks(2), 40, 20, 0), 40, 20)).toBe(2);
    const decision = twoBlocks(2 * r);
    const scored = { valid: new Uint8Array(decision.length).fill(1), score: Float32Array.from(decision) };
    expect(classifyChange(scored, 40, 20, 0.5, true, null, undefined, r).change).toEqual(decision);
  });

  it('at a pixel depends on the decision up to 2r + 2 pixels away: a window with that margin gives the same interior', () => {
    const r = 3;
    const size = 64;
    const inner = { x: 20, y: 20, w: 24, h: 24 };
    const crop = (src: Uint8Array, x0: number, y0: number, w: number, h: number) => {
      const out = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) out.set(src.subarray((y0 + y) * size + x0, (y0 + y) * size + x0 + w), y * w);
      return out;
    };
    /** Whether the interior comes out the same from a window with `margin` pixels around it. */
    const sameWith = (mask: Uint8Array, whole: Uint8Array, margin: number) => {
      const w = inner.w + 2 * margin;
      const part = clean(crop(mask, inner.x - margin, inner.y - margin, w, w), w, w, r, new Workspace());
      return crop(whole, inner.x, inner.y, inner.w, inner.h).every((v, i) => v === part[(Math.floor(i / inner.w) + margin) * w + margin + (i % inner.w)]);
    };
    let tighterDiffers = 0;
    for (const density of [0.05, 0.1, 0.2]) {
      for (let seed = 1; seed <= 10; seed++) {
        const random = mulberry32(seed);
        const mask = new Uint8Array(size * size);
        for (let i = 0; i < mask.length; i++) mask[i] = random() < density ? 1 : 0;
        const whole = clean(mask, size, size, r, new Workspace());
        expect(sameWith(mask, whole, 2 * r + 2)).toBe(true);
        if (!sameWith(mask, whole, 2 * r - 1)) tighterDiffers++;
      }
    }
    // 2r + 2 bounds the reach (each of the 2r + 2 3×3 steps reaches one pixel further); the closing's 2r of
    // it is needed: with less, the result changes on some of these masks
    expect(tighterDiffers).toBeGreaterThan(0);
  });

  it('haloOf leaves room for the closing of structurally scored pairs', () => {
    const structure = { short: 7, long: 59, pool: 1 };
    expect(structureClosing(structure)).toBe(3);
    expect(structureClosing({ short: 15, long: 121, pool: 2 })).toBe(15);
    expect(structureClosing(null)).toBe(0);
    const limit = { col: 0, row: 0, width: 10_000, height: 10_000 };
    const halo = haloOf({ col: 1000, row: 1000, width: 512, height: 512 }, limit, structure);
    expect(1000 - halo.col).toBe(HALO_PX + structureReach(structure) + 2 * 3);
  });
});

describe('windowValidity', () => {
  /** A four-band file compared on bands 0, 2 and 3, with its nodata. */
  function model(nodataBefore: number | null, nodataAfter: number | null): ScoreModel {
    return {
      shadow: null,
      evidenceBands: [0, 2, 3],
      evidenceGroups: null,
      fileBands: 4,
      structure: null,
      bands: 3,
      nodataBefore,
      nodataAfter,
      beforeMean: Float64Array.of(3, 4, 5),
      beforeStd: Float64Array.of(2, 2, 3),
      afterMean: Float64Array.of(3, 5, 4),
      afterStd: Float64Array.of(2, 3, 2),
      whiten: Float64Array.of(1, 0, 0, 0.2, 1, 0, -0.1, 0.3, 1),
      cvaMedian: 1,
      madMedian: 1,
    };
  }

  it("is the change pass's validity for integer, float and mixed windows, with and without nodata", () => {
    const rand = mulberry32(99);
    for (let trial = 0; trial < 60; trial++) {
      const [w, h] = [1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 12)];
      const n = w * h;
      const values = () => Array.from({ length: 4 * n }, () => Math.floor(rand() * 7));
      const kinds: ((v: number[]) => WindowSamples)[] = [
        (v) => Uint8Array.from(v),
        (v) => Uint16Array.from(v),
        (v) => Int16Array.from(v, (x) => x - 3),
        (v) => Float32Array.from(v, (x) => (x === 6 ? NaN : x)),
      ];
      const b = kinds[trial % 4]!(values());
      const a = kinds[Math.floor(trial / 4) % 4]!(values());
      const nodata = [null, 2, 0.5, -0, 6][trial % 5]!;
      const m = model(nodata, trial % 2 === 0 ? nodata : 1);
      const got = windowValidity(b.slice(), a.slice(), w, h, m, new Workspace()).valid;
      // the change pass on the same evidence planes (bands 0, 2, 3 of the four)
      const planes = (s: WindowSamples) => {
        const out = new (s.constructor as { new (len: number): WindowSamples })(3 * n);
        [0, 2, 3].forEach((band, k) => out.set(s.subarray(band * n, band * n + n) as never, k * n));
        return out;
      };
      const want = new Uint8Array(n);
      changeScores(planes(b), planes(a), w, h, m, want, new Float32Array(n), null, null);
      expect(Array.from(got.subarray(0, n)), `trial ${trial}`).toEqual(Array.from(want));
    }
  });

  it('a structurally scored window keeps the spectral validity whichever way it is computed', () => {
    const [w, h] = [24, 24];
    const n = w * h;
    const rand = mulberry32(7);
    const b = Uint8Array.from({ length: 4 * n }, () => Math.floor(rand() * 5));
    const a = Uint8Array.from({ length: 4 * n }, () => Math.floor(rand() * 5));
    const m = { ...model(0, 4), structure: { short: 3, long: 7, pool: 1 } } as ScoreModel;
    const integer = scoreWindow(b.slice(), a.slice(), w, h, m);
    const float = scoreWindow(Float32Array.from(b), Float32Array.from(a), w, h, m);
    expect(Array.from(integer.valid)).toEqual(Array.from(float.valid));
    expect(Array.from(integer.score)).toEqual(Array.from(float.score));
    expect(integer.valid.indexOf(0)).toBeGreaterThanOrEqual(0);
  });
});
