import { describe, expect, it } from 'vitest';
import { BULK_THRESHOLD, bulkThresholdMessage, thresholdInBulk } from './threshold-caution.js';

describe('thresholdInBulk', () => {
  it('holds for a spectral threshold below BULK_THRESHOLD times the median, never for a structural one', () => {
    expect(thresholdInBulk({ structure: null, threshold: 1.0156 })).toBe(true);
    expect(thresholdInBulk({ structure: null, threshold: BULK_THRESHOLD - 1 / 64 })).toBe(true);
    expect(thresholdInBulk({ structure: null, threshold: BULK_THRESHOLD })).toBe(false);
    expect(thresholdInBulk({ structure: null, threshold: 1.5938 })).toBe(false); // Taizhou's
    expect(thresholdInBulk({ structure: { short: 7, long: 59, pool: 1 }, threshold: 0.5 })).toBe(false);
  });

  it('says the threshold and, when known, the share flagged', () => {
    expect(bulkThresholdMessage(1.015625, 0.4682)).toMatch(/^the change threshold 1\.0156 lies in the bulk of this pair's scores \(below 1\.25 times their median, 46\.8 % of the examined pixels flagged\): /);
    expect(bulkThresholdMessage(1.015625)).toMatch(/\(below 1\.25 times their median\): the pair may hold no distinct change/);
  });
});
