import { describe, expect, it } from 'vitest';
import { confusionOf, meanMetrics, metricsOf, sumConfusion } from '../../scripts/eval/metrics.js';

// Every expected value below is worked out by hand in the comment beside it.
describe('metricsOf', () => {
  it('a general matrix', () => {
    // N = 100; OA = 70/100; P = 40/50; R = 40/60; F1 = 2·0.8·(2/3)/(0.8 + 2/3) = 8/11
    // pe = (50·60 + 50·40)/100² = 0.5; κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    const m = metricsOf({ tp: 40, fp: 10, fn: 20, tn: 30 });
    expect(m.oa).toBeCloseTo(0.7, 12);
    expect(m.precision).toBeCloseTo(0.8, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(8 / 11, 12);
    expect(m.kappa).toBeCloseTo(0.4, 12);
  });

  it('a small asymmetric matrix', () => {
    // N = 10; OA = 6/10; P = 2/3; R = 2/5; F1 = 2·(2/3)(2/5)/(2/3 + 2/5) = (8/15)/(16/15) = 0.5
    // pe = (3·5 + 7·5)/100 = 0.5; κ = (0.6 − 0.5)/0.5 = 0.2
    const m = metricsOf({ tp: 2, fp: 1, fn: 3, tn: 4 });
    expect(m).toEqual({ oa: expect.closeTo(0.6, 12), precision: expect.closeTo(2 / 3, 12), recall: expect.closeTo(0.4, 12), f1: expect.closeTo(0.5, 12), kappa: expect.closeTo(0.2, 12) });
  });

  it('perfect agreement with both classes present', () => {
    // pe = (10·10 + 90·90)/100² = 0.82; κ = (1 − 0.82)/(1 − 0.82) = 1
    expect(metricsOf({ tp: 10, fp: 0, fn: 0, tn: 90 })).toEqual({ oa: 1, precision: 1, recall: 1, f1: 1, kappa: expect.closeTo(1, 12) });
  });

  it('total disagreement', () => {
    // OA = 0; pe = (50·50 + 50·50)/100² = 0.5; κ = (0 − 0.5)/0.5 = −1; P = 0/50, R = 0/50, F1 = 0
    expect(metricsOf({ tp: 0, fp: 50, fn: 50, tn: 0 })).toEqual({ oa: 0, precision: 0, recall: 0, f1: 0, kappa: expect.closeTo(-1, 12) });
  });

  it('no predicted change: precision is defined as 0, F1 0', () => {
    // OA = 95/100; P = 0/0 → 0; R = 0/5 = 0; F1 = 0; pe = (0·5 + 100·95)/100² = 0.95; κ = 0
    const m = metricsOf({ tp: 0, fp: 0, fn: 5, tn: 95 });
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.oa).toBeCloseTo(0.95, 12);
    expect(m.kappa).toBeCloseTo(0, 12);
  });

  it('no true change but some predicted: recall 0/0 is 0, F1 0', () => {
    // P = 0/10 = 0; R = 0/0 → 0; OA = 0.9; pe = (10·0 + 90·100)/100² = 0.9; κ = 0
    const m = metricsOf({ tp: 0, fp: 10, fn: 0, tn: 90 });
    expect(m).toEqual({ oa: expect.closeTo(0.9, 12), precision: 0, recall: 0, f1: 0, kappa: expect.closeTo(0, 12) });
  });

  it('expected agreement = 1 (both maps all no-change): κ is 1, F1 stays 0', () => {
    // pe = (0·0 + 50·50)/50² = 1 → κ would be 0/0; defined as 1 (the maps are identical)
    const m = metricsOf({ tp: 0, fp: 0, fn: 0, tn: 50 });
    expect(m).toEqual({ oa: 1, precision: 0, recall: 0, f1: 0, kappa: 1 });
    expect(Object.values(m).every(Number.isFinite)).toBe(true);
  });

  it('expected agreement = 1 (both maps all change)', () => {
    expect(metricsOf({ tp: 7, fp: 0, fn: 0, tn: 0 })).toEqual({ oa: 1, precision: 1, recall: 1, f1: 1, kappa: 1 });
  });

  it('rejects an empty matrix and bad counts', () => {
    expect(() => metricsOf({ tp: 0, fp: 0, fn: 0, tn: 0 })).toThrow(/no labelled pixels/);
    expect(() => metricsOf({ tp: -1, fp: 0, fn: 0, tn: 3 })).toThrow(RangeError);
    expect(() => metricsOf({ tp: 1.5, fp: 0, fn: 0, tn: 3 })).toThrow(RangeError);
  });
});

describe('confusionOf', () => {
  it('scores labelled pixels only and counts prediction nodata as no change', () => {
    //            px:  0  1  2  3    4    5    6  7
    const truth = [1, 1, 0, 0, 255, 255, 1, 0];
    const pred = [1, 0, 1, 0, 1, 255, 255, 255];
    // px0 TP, px1 FN, px2 FP, px3 TN, px4/5 ignored, px6 nodata → FN, px7 nodata → TN
    expect(confusionOf(pred, truth)).toEqual({ tp: 1, fp: 1, fn: 2, tn: 2, labelled: 6, predictedNodataLabelled: 2 });
  });

  it('rejects size mismatch and truth values outside 0, 1, 255', () => {
    expect(() => confusionOf([0, 1], [0])).toThrow(/2 pixels but truth has 1/);
    expect(() => confusionOf([0, 1], [0, 2])).toThrow(/truth value 2 at pixel 1/);
  });
});

describe('aggregation', () => {
  it('sums counts and averages metrics', () => {
    expect(sumConfusion([{ tp: 1, fp: 2, fn: 3, tn: 4 }, { tp: 10, fp: 20, fn: 30, tn: 40 }])).toEqual({ tp: 11, fp: 22, fn: 33, tn: 44 });
    const mean = meanMetrics([
      { oa: 1, kappa: 1, precision: 1, recall: 1, f1: 1 },
      { oa: 0, kappa: -1, precision: 0, recall: 0.5, f1: 0 },
    ]);
    expect(mean).toEqual({ oa: 0.5, kappa: 0, precision: 0.5, recall: 0.75, f1: 0.5 });
    expect(meanMetrics([])).toBeNull();
  });
});
