import { describe, expect, it } from 'vitest';
import type { BandName } from '../schemas/manifest.js';
import { indexPlan } from './change-evidence.js';
import { evidenceBands } from './evidence-bands.js';
import { pairShadowTest } from './pair-shadows.js';
import { passPlanes, statsOnPlanes } from './pass-planes.js';
import { vegetationTestOf } from './seasonal.js';

const SENTINEL2: BandName[] = ['coastal', 'blue', 'green', 'red', 'rededge', 'rededge', 'rededge', 'nir', 'nir08', 'nir09', 'cirrus', 'swir16', 'swir22'];
const LANDSAT8: BandName[] = ['coastal', 'blue', 'green', 'red', 'nir', 'swir16', 'swir22', 'pan', 'cirrus', 'lwir11', 'lwir12'];
const LANDSAT7: BandName[] = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'];

/** Layouts and evidence the statistics may choose: every candidate, or a part (the native-resolution bands). */
const CASES: Array<{ bands: (BandName | null)[]; evidence: number[] }> = [
  { bands: SENTINEL2, evidence: evidenceBands(SENTINEL2, 13) },
  { bands: SENTINEL2, evidence: [1, 2, 3, 7] }, // its 10 m bands
  { bands: LANDSAT8, evidence: evidenceBands(LANDSAT8, 11) },
  { bands: LANDSAT7, evidence: [0, 1, 2, 3, 4, 5] },
  { bands: LANDSAT7, evidence: [3, 4] },
  { bands: ['red', 'green', 'blue'], evidence: [0, 1, 2] },
  { bands: ['blue', 'green', 'red', 'nir'], evidence: [0, 1, 2, 3] },
  { bands: [null, null, null, null, null], evidence: [1, 3] },
  { bands: ['swir22', null, 'nir', 'green', 'lwir11'], evidence: [1, 4] },
];

const REFLECTANCE = { scale: 0.0001, offset: 0 };

/** A score model of `bands` scoring `evidence`, with the pair's shadow test when the bands allow it. */
const modelOf = (bands: readonly (BandName | null)[], evidence: number[]) => ({
  shadow: pairShadowTest(bands, bands, REFLECTANCE, REFLECTANCE),
  evidenceBands: evidence,
  evidenceGroups: null,
  beforeMean: Float64Array.from(evidence, (b) => 100 + b),
  beforeStd: Float64Array.from(evidence, (b) => 10 + b),
  afterMean: Float64Array.from(evidence, (b) => 200 + b),
  afterStd: Float64Array.from(evidence, (b) => 20 + b),
});

describe('passPlanes', () => {
  it('keeps the evidence bands and the bands typing, the seasonal test and the shadow test read, ascending', () => {
    // Sentinel-2 scored on its 10 m bands: swir16 for typing and the shadow test; nir08 is read by nothing
    expect(passPlanes(SENTINEL2, modelOf(SENTINEL2, [1, 2, 3, 7]))).toEqual([1, 2, 3, 7, 11]);
    // no scale stated, no shadow test: the same planes here (typing reads them too)
    expect(passPlanes(SENTINEL2, { ...modelOf(SENTINEL2, [1, 2, 3, 7]), shadow: null })).toEqual([1, 2, 3, 7, 11]);
    expect(passPlanes(LANDSAT7, modelOf(LANDSAT7, [3, 4]))).toEqual([0, 1, 2, 3, 4]);
    expect(passPlanes([null, null, null], modelOf([null, null, null], [2, 0]))).toEqual([0, 2]);
    expect(passPlanes(['red', 'green', 'blue'], modelOf(['red', 'green', 'blue'], [0, 1, 2]))).toEqual([0, 1, 2]);
    // nir08 stands in for a missing nir
    const noNir: BandName[] = ['blue', 'green', 'red', 'rededge', 'nir08'];
    expect(passPlanes(noNir, modelOf(noNir, [0]))).toEqual([0, 1, 2, 4]);
  });

  it('renumbers the evidence bands for windows of those planes, and refuses planes without one of them', () => {
    const stats = { ...modelOf(SENTINEL2, [1, 2, 3, 7]), threshold: 2.5 };
    expect(statsOnPlanes(stats, [1, 2, 3, 7, 11])).toEqual({ ...stats, evidenceBands: [0, 1, 2, 3] });
    expect(() => statsOnPlanes(stats, [1, 2, 3])).toThrow(/evidence band 7/);
  });

  it('loses nothing the pass reads: typing, the seasonal test and the shadow test see the same bands on the planes kept', () => {
    for (const { bands, evidence } of CASES) {
      const stats = modelOf(bands, evidence);
      const planes = passPlanes(bands, stats);
      const kept = planes.map((b) => bands[b]!);
      const narrowed = statsOnPlanes(stats, planes);
      const label = bands.join(',');
      // typing: the same channels, on bands of the same names, and brightness over the same evidence bands
      const full = indexPlan(bands, stats);
      const cut = indexPlan(kept, narrowed);
      expect(cut.channels, label).toEqual(full.channels);
      expect(cut.water, label).toEqual(full.water);
      expect(Object.fromEntries(Object.entries(cut.band).map(([k, v]) => [k, kept[v]])), label).toEqual(Object.fromEntries(Object.entries(full.band).map(([k, v]) => [k, bands[v]])));
      expect(cut.visible.map((b) => planes[b]), label).toEqual(full.visible);
      expect([cut.beforeMean, cut.afterStd], label).toEqual([full.beforeMean, full.afterStd]);
      // the seasonal test on the same bands
      const named = (test: object | null, names: readonly (BandName | null)[]) =>
        test && Object.fromEntries(Object.entries(test).map(([k, v]) => [k, k === 'index' || k === 'floor' ? v : names[v as number]]));
      expect(named(vegetationTestOf(kept), kept), label).toEqual(named(vegetationTestOf(bands), bands));
      // the pair's shadow test on the same bands
      const shadowOf = (names: readonly (BandName | null)[]) => {
        const test = pairShadowTest(names, names, REFLECTANCE, REFLECTANCE);
        return test && named(test.before.at, names);
      };
      expect(shadowOf(kept), label).toEqual(shadowOf(bands));
    }
  });
});
