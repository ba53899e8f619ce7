import { describe, expect, it } from 'vitest';
import { mulberry32, randomInt } from '../kernels/test-random.js';
import { evidenceBands, evidenceGroups, evidencePlaneOf, MAX_EVIDENCE_PLANES, pickBands, pickEvidence } from './evidence-bands.js';

describe('evidenceBands', () => {
  it('leaves out the atmospheric and thermal bands, and keeps every band when none is named', () => {
    expect(evidenceBands(['coastal', 'blue', 'green', 'red', 'nir', 'nir09', 'cirrus', 'swir16', 'lwir11'], 9)).toEqual([1, 2, 3, 4, 7]);
    expect(evidenceBands([null, null, null], 3)).toEqual([0, 1, 2]);
    expect(evidenceBands(['cirrus'], 1)).toEqual([0]);
  });
});

describe('evidenceGroups', () => {
  it('is null while every evidence band can be a plane of its own', () => {
    for (let count = 1; count <= MAX_EVIDENCE_PLANES; count++) expect(evidenceGroups(count)).toBeNull();
  });

  it('splits more bands into MAX_EVIDENCE_PLANES contiguous groups that differ by at most one band', () => {
    expect(evidenceGroups(17)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    expect(evidenceGroups(48)).toEqual(new Array(16).fill(3));
    expect(evidenceGroups(40)).toEqual([2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3]);
    for (let count = MAX_EVIDENCE_PLANES + 1; count <= 512; count++) {
      const sizes = evidenceGroups(count)!;
      expect(sizes).toHaveLength(MAX_EVIDENCE_PLANES);
      expect(sizes.reduce((s, n) => s + n, 0)).toBe(count);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    }
  });
});

/** The definition: each group's mean in float64, in band order, rounded to float32; NaN when any sample is unusable. */
function naiveEvidence(planar: ArrayLike<number>, pixels: number, bands: number[], groups: number[], nodata: number | null): Float32Array {
  const out = new Float32Array(pixels * groups.length);
  for (let i = 0; i < pixels; i++) {
    let first = 0;
    groups.forEach((size, g) => {
      let sum = 0;
      let usable = true;
      for (const band of bands.slice(first, first + size)) {
        const v = planar[band * pixels + i]!;
        if (!Number.isFinite(v) || (nodata !== null && v === Math.fround(nodata))) usable = false;
        sum += v;
      }
      out[g * pixels + i] = usable ? sum / size : Number.NaN;
      first += size;
    });
  }
  return out;
}

describe('pickEvidence', () => {
  it('without groups picks the bands in their own sample type (pickBands)', () => {
    const planar = Uint16Array.from({ length: 4 * 6 }, (_, i) => i);
    const picked = pickEvidence(planar, 6, [3, 1], null, 0);
    expect(picked).toBeInstanceOf(Uint16Array);
    expect(Array.from(picked)).toEqual(Array.from(pickBands(planar, 6, [3, 1])));
  });

  it('with groups gives each group mean as the definition does, NaN where a sample is NaN, ±∞ or the nodata value', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const fileBands = randomInt(random, 17, 70);
      const pixels = randomInt(random, 1, 300);
      const bands = Array.from({ length: fileBands }, (_, b) => b).filter(() => random() < 0.9);
      if (bands.length <= MAX_EVIDENCE_PLANES) continue;
      const groups = evidenceGroups(bands.length)!;
      const nodata = trial % 3 === 0 ? null : trial % 3 === 1 ? 0.1 : 9;
      const floats = Float32Array.from({ length: fileBands * pixels }, () => {
        const r = random();
        if (r < 0.01) return Number.NaN;
        if (r < 0.015) return r < 0.0125 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        if (r < 0.03 && nodata !== null) return nodata;
        return random() * 4000 - 100;
      });
      expect(Array.from(pickEvidence(floats, pixels, bands, groups, nodata))).toEqual(Array.from(naiveEvidence(floats, pixels, bands, groups, nodata)));
      const integers = Uint16Array.from({ length: fileBands * pixels }, () => (random() < 0.02 ? 9 : randomInt(random, 0, 65535)));
      const fromIntegers = pickEvidence(integers, pixels, bands, groups, 9);
      expect(fromIntegers).toBeInstanceOf(Float32Array);
      expect(Array.from(fromIntegers)).toEqual(Array.from(naiveEvidence(integers, pixels, bands, groups, 9)));
    }
  });

  it('marks a pixel unusable in a group whose bands hold an unusable sample, and only in that group', () => {
    const pixels = 2;
    const bands = Array.from({ length: 32 }, (_, b) => b);
    const planar = new Float32Array(32 * pixels).fill(100);
    planar[5 * pixels + 1] = 0; // band 5 (group 2: bands 4 and 5) of pixel 1 at nodata
    const planes = pickEvidence(planar, pixels, bands, evidenceGroups(32), 0);
    expect(Array.from(planes.subarray(2 * pixels, 3 * pixels))).toEqual([100, Number.NaN]);
    expect(Array.from(planes).filter(Number.isNaN)).toHaveLength(1);
  });
});

describe('evidencePlaneOf', () => {
  it('is the plane that holds an evidence band and the file bands it averages, or null when the band is not evidence', () => {
    expect(evidencePlaneOf(3, [1, 3, 4], null)).toEqual({ plane: 1, members: [3] });
    expect(evidencePlaneOf(2, [1, 3, 4], null)).toBeNull();
    const bands = Array.from({ length: 17 }, (_, b) => b + 1); // file bands 1 … 17; the last group holds two
    const groups = evidenceGroups(17);
    expect(evidencePlaneOf(1, bands, groups)).toEqual({ plane: 0, members: [1] });
    expect(evidencePlaneOf(15, bands, groups)).toEqual({ plane: 14, members: [15] });
    expect(evidencePlaneOf(16, bands, groups)).toEqual({ plane: 15, members: [16, 17] });
    expect(evidencePlaneOf(17, bands, groups)).toEqual({ plane: 15, members: [16, 17] });
    expect(evidencePlaneOf(0, bands, groups)).toBeNull();
  });
});
