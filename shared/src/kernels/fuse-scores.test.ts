import { describe, expect, it } from 'vitest';
import { fuseMinScaled } from './fuse-scores.js';

describe('fuseMinScaled', () => {
  it('takes the smaller of the two scaled scores, 0 where invalid', () => {
    const out = new Float32Array(4);
    fuseMinScaled(Float32Array.from([2, 4, 6, 8]), Float32Array.from([1, 9, 1, 9]), 2, 3, Uint8Array.from([1, 1, 1, 0]), 4, out);
    // pixel 0: min(2/2, 1/3); pixel 1: min(4/2, 9/3); pixel 2: min(6/2, 1/3); pixel 3 invalid
    expect([...out]).toEqual([1 / 3, 2, 1 / 3, 0].map((v) => Math.fround(v)));
  });
  it('treats a zero or non-finite scale as "cue unavailable" (scaled value 0)', () => {
    const out = new Float32Array(2);
    fuseMinScaled(Float32Array.from([2, 4]), Float32Array.from([1, 1]), 0, 1, Uint8Array.from([1, 1]), 2, out);
    expect([...out]).toEqual([0, 0]);
  });
});
