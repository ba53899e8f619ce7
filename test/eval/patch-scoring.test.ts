import { describe, expect, it } from 'vitest';
import { HIT_SHARE, OBJECT_MIN_PX, scorePatches, type ScoredPatch } from '../../scripts/eval/patch-scoring.js';

/** A rectangle patch on lattice corners [c0, r0] … [c1, r1], optionally with a rectangular hole. */
function rectangle(c0: number, r0: number, c1: number, r1: number, hole?: [number, number, number, number]): ScoredPatch {
  const ring = (a: number, b: number, c: number, d: number) => [a, b, c, b, c, d, a, d, a, b];
  return { pixelBbox: [c0, r0, c1, r1], outline: hole ? [ring(c0, r0, c1, r1), ring(...hole)] : [ring(c0, r0, c1, r1)] };
}

describe('scorePatches', () => {
  // 10 × 8 raster whose pixel (0, 0) is lattice (100, 50); truth: change in columns 0–3 of rows 0–3,
  // row 7 not labelled.
  const width = 10;
  const height = 8;
  const origin = { col: 100, row: 50 };
  const truth = new Float32Array(width * height);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) truth[y * width + x] = 1;
  for (let x = 0; x < width; x++) truth[7 * width + x] = 255;

  it('rasterises outlines on the lattice and scores their pixels like a change map', () => {
    // exactly the truth square, and a 2 × 2 false patch at raster (6, 4)
    const score = scorePatches([rectangle(100, 50, 104, 54), rectangle(106, 54, 108, 56)], origin, truth, width, height, 255);
    expect(score.counts).toEqual({ tp: 16, fp: 4, fn: 0, tn: 70 - 20 });
    expect(score.metrics.f1).toBeCloseTo((2 * 16) / (2 * 16 + 4), 12);
    expect(score.patches).toBe(2);
    expect(score.judged).toBe(2);
    expect(score.hits).toBe(1);
    const typed = scorePatches(
      [{ ...rectangle(100, 50, 104, 54), changeType: 'construction' }, { ...rectangle(106, 54, 108, 56), changeType: 'other' }, { ...rectangle(100, 57, 104, 58), changeType: 'other' }],
      origin, truth, width, height, 255,
    );
    // the third patch lies in the unlabelled row: not judged, so not counted by type either
    expect(typed.byType).toEqual({ construction: { judged: 1, hits: 1 }, other: { judged: 1, hits: 0 } });
  });

  it('keeps holes out, leaves unlabelled pixels unscored and clips patches at the raster edge', () => {
    // a 6 × 6 ring around the truth square's centre 2 × 2 hole, reaching two pixels past the left edge
    // and down into the unlabelled row
    const patch = rectangle(98, 48, 104, 58, [101, 51, 103, 53]);
    const score = scorePatches([patch], origin, truth, width, height, 255);
    // inside the raster: columns 0–3, rows 0–7 = 32 pixels, 4 in the hole, 4 unlabelled (row 7)
    expect(score.counts.tp + score.counts.fp).toBe(32 - 4 - 4);
    expect(score.counts.tp).toBe(16 - 4);
    expect(score.counts.fn).toBe(4);
  });

  it('counts a patch as a hit from a quarter of its labelled pixels being change', () => {
    // 4 × 2 patch over truth columns 2–3 and no-change columns 4–5: half change
    expect(scorePatches([rectangle(102, 50, 106, 52)], origin, truth, width, height, 255).hits).toBe(1);
    // 1 × 8 strip along row 0 from column 3: one change pixel of eight, under HIT_SHARE
    expect(1 / 8).toBeLessThan(HIT_SHARE);
    expect(scorePatches([rectangle(103, 50, 111, 51)], origin, truth, width, height, 255).hits).toBe(0);
    // entirely in the unlabelled row: nothing to judge it by, not a hit
    const unlabelled = scorePatches([rectangle(100, 57, 104, 58)], origin, truth, width, height, 255);
    expect([unlabelled.judged, unlabelled.hits]).toEqual([0, 0]);
  });

  it('counts truth objects of at least OBJECT_MIN_PX pixels as found when a quarter of them lies in patches', () => {
    // 30 × 20 raster: an 8 × 8 object (64 px), a 5 × 5 one (25 px, a sliver below the size counted), and a
    // 10 × 6 one (60 px)
    const w = 30;
    const h = 20;
    const t = new Float32Array(w * h);
    const fill = (x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) t[y * w + x] = 1;
    };
    fill(1, 1, 9, 9);
    fill(12, 1, 17, 6);
    fill(15, 10, 25, 16);
    expect(25).toBeLessThan(OBJECT_MIN_PX);
    const origin = { col: 0, row: 0 };
    // covers 16 of the first object's 64 pixels (a quarter), all of the sliver, 10 of the third's 60
    const score = scorePatches([rectangle(1, 1, 9, 3), rectangle(12, 1, 17, 6), rectangle(15, 10, 25, 11)], origin, t, w, h, 255);
    expect([score.objects, score.found]).toEqual([2, 1]);
  });

  it('scores no patches as no predicted change', () => {
    const score = scorePatches([], origin, truth, width, height, 255);
    expect(score.counts).toEqual({ tp: 0, fp: 0, fn: 16, tn: 54 });
    expect(score.metrics.f1).toBe(0);
    expect(score.hits).toBe(0);
    expect([score.objects, score.found]).toEqual([0, 0]); // the 4 × 4 truth square is below OBJECT_MIN_PX
  });
});
