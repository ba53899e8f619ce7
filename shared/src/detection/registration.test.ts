import { describe, expect, it } from 'vitest';
import { COREGISTRATION_ROUNDS, coregistrationOf, nextCorrection, offsetFound, offsetWorthReporting, RegistrationCheck, type Registration } from './registration.js';
import { mulberry32, type Random } from '../kernels/test-random.js';

/** A block of two bands of a random field (integer-valued, rough), the after epoch sampled (dx, dy) further on. */
function block(random: Random, size: number, dx: number, dy: number, related = true) {
  const field = (r: Random) => {
    const cells = Array.from({ length: (size + 16) ** 2 }, () => r());
    // a little smoothing: edges of a few pixels, as fields and roads give
    return (x: number, y: number) => {
      const at = (u: number, v: number) => cells[(v + 8) * (size + 16) + u + 8]!;
      return 1000 * (at(x, y) + at(x + 1, y) + at(x, y + 1) + at(x + 1, y + 1));
    };
  };
  const f = field(random);
  const g = related ? f : field(random);
  const n = size * size;
  const before = new Float32Array(2 * n);
  const after = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = i % size;
    const y = Math.floor(i / size);
    before[i] = f(x, y);
    before[n + i] = 0.5 * f(x, y) + 300;
    after[i] = 1.3 * g(x - dx, y - dy) + 50; // another gain and offset: another date
    after[n + i] = 0.6 * g(x - dx, y - dy);
  }
  return { before, after, valid: new Uint8Array(n).fill(1) };
}

describe('RegistrationCheck', () => {
  it('finds the offset the regions agree on, and reports it from half a pixel', () => {
    const random = mulberry32(51);
    for (const [dx, dy, reported] of [[0, 0, false], [1, 0, true], [-2, 1, true]] as const) {
      const check = new RegistrationCheck(2);
      for (let k = 0; k < 2; k++) {
        const b = block(random, 300, dx, dy);
        check.add(b.before, b.after, 300, 300, 2, b.valid);
      }
      const result = check.result();
      expect(result.regions).toBe(8); // 2 × 2 regions of 128 in each 300-pixel block
      expect(result.shift).toEqual([dx, dy]);
      expect(result).not.toHaveProperty('beyond');
      expect(offsetWorthReporting(result)).toBe(reported);
    }
  });

  it('says "at least" when the regions agree on the edge of the search window', () => {
    const check = new RegistrationCheck(1);
    const b = block(mulberry32(52), 300, 5, 0);
    check.add(b.before, b.after, 300, 300, 2, b.valid);
    const result = check.result();
    expect(result.beyond).toBe(true);
    expect(result.shift![0]).toBe(3);
    expect(offsetWorthReporting(result)).toBe(true);
  });

  it('finds an offset beyond the fine search with the coarse one, to within a pixel, and only then says it', () => {
    const random = mulberry32(55);
    for (const [dx, dy] of [[13, -6], [-20, 4], [7, 0]] as const) {
      const check = new RegistrationCheck(3);
      for (let k = 0; k < 3; k++) {
        const b = block(random, 400, dx, dy);
        check.add(b.before, b.after, 400, 400, 2, b.valid);
      }
      const result = check.result();
      expect(result.shift === null || result.beyond === true).toBe(true);
      expect(Math.abs(result.coarse![0] - dx)).toBeLessThan(1);
      expect(Math.abs(result.coarse![1] - dy)).toBeLessThan(1);
      expect(offsetFound(result)).toEqual({ shift: result.coarse, coarse: true });
      expect(offsetWorthReporting(result)).toBe(true);
    }
    // within the fine search the coarse check is not reported
    const near = new RegistrationCheck(3);
    for (let k = 0; k < 3; k++) {
      const b = block(random, 400, 2, -1);
      near.add(b.before, b.after, 400, 400, 2, b.valid);
    }
    expect(near.result().shift).toEqual([2, -1]);
    expect(near.result()).not.toHaveProperty('coarse');
  });

  it('claims no offset where the epochs share no edges, or the blocks are too small for a region', () => {
    const check = new RegistrationCheck(1);
    const b = block(mulberry32(53), 300, 0, 0, false);
    check.add(b.before, b.after, 300, 300, 2, b.valid);
    expect(check.result().shift).toBeNull();
    const small = new RegistrationCheck(1);
    const s = block(mulberry32(54), 120, 1, 0);
    small.add(s.before, s.after, 120, 120, 2, s.valid);
    expect(small.result()).toEqual({ shift: null, regions: 0, resolved: 0, atEdge: 0 });
  });
});

describe('nextCorrection', () => {
  const check = (shift: [number, number] | null, beyond = false): Registration => ({ shift, ...(beyond ? { beyond: true as const } : {}), regions: 9, resolved: 9, atEdge: 0 });

  it('accepts a pair within half a pixel, or one it cannot resolve, when nothing is applied', () => {
    expect(nextCorrection([0, 0], check([0.49, -0.49]), 0)).toEqual({ accept: true });
    expect(nextCorrection([0, 0], check(null), 0)).toEqual({ accept: true });
  });

  it('moves by the offset rounded half away from zero, added to what is applied', () => {
    expect(nextCorrection([0, 0], check([0.5, -0.5]), 0)).toEqual({ tryShift: [1, -1] });
    expect(nextCorrection([0, 0], check([1.94, -1.01]), 0)).toEqual({ tryShift: [2, -1] });
    expect(nextCorrection([0, 0], check([-0.2, 0.7]), 0)).toEqual({ tryShift: [0, 1] });
    expect(nextCorrection([3, 0], check([2.6, 0.1]), 1)).toEqual({ tryShift: [6, 0] });
    // "at least 3": the next round looks 3 pixels further
    expect(nextCorrection([0, 0], check([3, 0], true), 0)).toEqual({ tryShift: [3, 0] });
  });

  it('accepts a correction the check confirms, and abandons one it cannot confirm or reach', () => {
    expect(nextCorrection([2, -1], check([-0.06, 0.01]), 1)).toEqual({ accept: true });
    // half a pixel left after a move is kept: moving back would leave half a pixel the other way
    expect(nextCorrection([0, 0], check([0.5, 0]), 0)).toEqual({ tryShift: [1, 0] });
    expect(nextCorrection([1, 0], check([-0.5, 0]), 1)).toEqual({ accept: true });
    expect(nextCorrection([1, 0], check([-0.51, 0]), 1)).toEqual({ tryShift: [0, 0] });
    expect(nextCorrection([2, -1], check(null), 1)).toEqual({ abandon: 'unconfirmed' });
    const last = COREGISTRATION_ROUNDS - 1;
    expect(nextCorrection([12, 0], check([3, 0], true), last)).toEqual({ abandon: 'out_of_reach' });
    expect(nextCorrection([12, 0], check([0.8, 0]), last)).toEqual({ abandon: 'out_of_reach' });
    expect(nextCorrection([12, 0], check([0.3, 0]), last)).toEqual({ accept: true });
    // nothing applied at the last round: nothing to abandon
    expect(nextCorrection([0, 0], check([3, 0], true), last)).toEqual({ accept: true });
  });

  it('takes the coarse check\'s offset where the fine one is beyond its reach or unresolved', () => {
    const coarse = (shift: [number, number] | null, at: [number, number], beyond = false): Registration => ({ ...check(shift, beyond), coarse: at });
    expect(nextCorrection([0, 0], coarse([3, 0], [12.4, -0.6], true), 0)).toEqual({ tryShift: [12, -1] });
    expect(nextCorrection([0, 0], coarse(null, [-19.5, 3.2]), 0)).toEqual({ tryShift: [-20, 3] });
    // a coarse offset under half a pixel moves nothing: the fine "at least" does
    expect(nextCorrection([0, 0], coarse([3, 0], [0.3, 0.1], true), 0)).toEqual({ tryShift: [3, 0] });
    expect(nextCorrection([0, 0], coarse(null, [0.3, 0.1]), 0)).toEqual({ accept: true });
    expect(nextCorrection([5, 0], coarse(null, [0.3, 0.1]), 1)).toEqual({ abandon: 'unconfirmed' });
    // a resolved fine offset wins
    expect(nextCorrection([12, -1], coarse([0.2, -0.1], [0.4, 0]), 1)).toEqual({ accept: true });
  });

  it('records what the first check measured, and how', () => {
    expect(coregistrationOf([2, -1], check([1.94, -1.01]))).toEqual({ shift: [2, -1], measured: [1.94, -1.01] });
    expect(coregistrationOf([6, 0], check([3, 0], true))).toEqual({ shift: [6, 0], measured: [3, 0], beyond: true });
    expect(coregistrationOf([12, -1], { ...check([3, 0], true), coarse: [12.4, -0.6] })).toEqual({ shift: [12, -1], measured: [12.4, -0.6], coarse: true });
    expect(offsetFound(check(null))).toBeNull();
  });
});
