import { describe, expect, it } from 'vitest';
import { BULK_THRESHOLD, bulkThresholdMessage, thresholdInBulk } from './threshold-caution.js';

describe('thresholdInBulk', () => {
  it('holds where Rosin replaced an Otsu split in the bulk, never for a structural score', () => {
    expect(thresholdInBulk({ structure: null, threshold: 1.7031, otsuSplit: 1.0156 })).toBe(true);
    expect(thresholdInBulk({ structure: null, threshold: 1.5938 })).toBe(false); // Taizhou's
    expect(thresholdInBulk({ structure: { short: 7, long: 59, pool: 1 }, threshold: 0.5 })).toBe(false);
  });

  it("holds for statistics of detectors before 10 whose threshold (Otsu's) lies below BULK_THRESHOLD", () => {
    expect(thresholdInBulk({ structure: null, threshold: 1.0156 })).toBe(true);
    expect(thresholdInBulk({ structure: null, threshold: BULK_THRESHOLD - 1 / 64 })).toBe(true);
    expect(thresholdInBulk({ structure: null, threshold: BULK_THRESHOLD })).toBe(false);
  });

  it("says Otsu's split, the threshold taken and, when known, the share flagged", () => {
    expect(bulkThresholdMessage({ threshold: 1.703125, otsuSplit: 1.015625 }, 0.0031)).toBe(
      "Otsu's split 1.0156 lies in the bulk of this pair's scores (below 1.25 times their median), so the change threshold is the start of their tail, 1.7031 " +
        "(Rosin's unimodal rule, 0.3 % of the examined pixels flagged): the pair may hold no distinct change, as when the same date is delivered twice or only noise differs; " +
        'check the pair before sending field teams',
    );
    expect(bulkThresholdMessage({ threshold: 1.703125, otsuSplit: 1.015625 })).toMatch(/\(Rosin's unimodal rule\): the pair may hold no distinct change/);
    // statistics of an earlier detector: the threshold was Otsu's
    expect(bulkThresholdMessage({ threshold: 1.015625 }, 0.4682)).toMatch(/^the change threshold 1\.0156 lies in the bulk of this pair's scores \(below 1\.25 times their median, 46\.8 % of the examined pixels flagged\): /);
  });
});
