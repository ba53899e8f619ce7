import { describe, expect, it } from 'vitest';
import { comparesAllBands, pairBands } from './pair-bands.js';

describe('pairBands', () => {
  it('compares every band of one sensor, in the after scene order', () => {
    const bands = pairBands(['blue', 'green', 'red', 'nir'], ['red', 'green', 'blue', 'nir08'])!;
    expect(bands).toEqual({ before: [2, 1, 0, 3], after: [0, 1, 2, 3], beforeOnly: [], afterOnly: [] });
    expect(comparesAllBands(bands)).toBe(true);
  });

  it('compares two sensors on the kinds both hold and names what each leaves out', () => {
    const bands = pairBands(['coastal', 'blue', 'green', 'red', 'nir', 'swir16', 'swir22', 'cirrus'], ['blue', 'green', 'red', 'nir'])!;
    expect(bands).toEqual({ before: [1, 2, 3, 4], after: [0, 1, 2, 3], beforeOnly: ['coastal', 'swir16', 'swir22', 'cirrus'], afterOnly: [] });
    expect(comparesAllBands(bands)).toBe(false);
    expect(pairBands(['red', 'green', 'blue'], ['blue', 'green', 'red', 'nir'])).toEqual({ before: [2, 1, 0], after: [0, 1, 2], beforeOnly: [], afterOnly: ['nir'] });
  });

  it('is null when the epochs share no band that shows the land', () => {
    expect(pairBands(['pan'], ['blue', 'green', 'red'])).toBeNull();
    // Both hold a cirrus band, which sees the atmosphere, not the ground.
    expect(pairBands(['cirrus', 'pan'], ['blue', 'cirrus'])).toBeNull();
    expect(pairBands(['cirrus', 'pan', 'red'], ['blue', 'cirrus', 'red'])).toEqual({ before: [0, 2], after: [1, 2], beforeOnly: ['pan'], afterOnly: ['blue'] });
  });
});
