import { describe, expect, it } from 'vitest';
import { ERFCX_COEFFICIENTS, ERFCX_DEGREE, ERFCX_FIRST_PIECE, ERFCX_INTERVALS } from './erfcx-table.js';
import { ERFCX_MAX_T, erfcx } from './erfcx.js';

// erfcx(t) = e^{t²} erfc(t) by value from mpmath 1.2.1 at 40 digits (scripts/tables/erfcx_table.py --values).
const ERFCX: ReadonlyArray<readonly [number, number]> = [
  [0, 1.0],
  [1e-8, 0.99999998871620842904],
  [0.001, 0.9988726200811514086],
  [0.1, 0.89645697996912663666],
  [0.25, 0.77034654773099674392],
  [0.5, 0.61569034419292587487],
  [0.75, 0.50693765029314480579],
  [1, 0.42758357615580700441],
  [1.5, 0.32158541645431750235],
  [2, 0.25539567631050574387],
  [2.5, 0.21080636406114358065],
  [3, 0.17900115118138995042],
  [4, 0.13699945762506138989],
  [5, 0.11070463773306862637],
  [7, 0.07980005432915293349],
  [10, 0.056140992743822585858],
  [13, 0.043271921864609692663],
  [17.5, 0.032187024738230408088],
  [20, 0.028174348741051319319],
  [24.5, 0.023009011874778182188],
  [26, 0.021683584850562906616],
];

describe('erfcx', () => {
  it('matches mpmath to 5e-16 relative over 0 ≤ t ≤ 26', () => {
    for (const [t, want] of ERFCX) expect(Math.abs(erfcx(t) - want) / want, `t = ${t}`).toBeLessThan(5e-16);
    expect(ERFCX_MAX_T).toBe(26);
  });

  it('the pieces meet: at each boundary inside the range both pieces give the same value to 5e-16', () => {
    const stride = ERFCX_DEGREE + 1;
    const piece = (i: number, u: number) => {
      const o = (i - ERFCX_FIRST_PIECE) * stride;
      let s = ERFCX_COEFFICIENTS[o + ERFCX_DEGREE]!;
      for (let j = ERFCX_DEGREE - 1; j >= 0; j--) s = s * u + ERFCX_COEFFICIENTS[o + j]!;
      return s;
    };
    expect(ERFCX_COEFFICIENTS.length).toBe((ERFCX_INTERVALS - ERFCX_FIRST_PIECE) * stride);
    for (let i = ERFCX_FIRST_PIECE + 1; i < ERFCX_INTERVALS; i++) {
      const below = piece(i - 1, 1);
      const above = piece(i, -1);
      expect(Math.abs(below - above) / above, `boundary y = ${i}/${ERFCX_INTERVALS}`).toBeLessThan(5e-16);
    }
  });

  it('decreases with t, as e^{t²} erfc(t) does, and follows 1/(t√π) for large t', () => {
    let previous = Infinity;
    for (let t = 0; t <= ERFCX_MAX_T; t += 0.01) {
      const v = erfcx(t);
      expect(v).toBeLessThanOrEqual(previous);
      previous = v;
    }
    // erfcx(t) = 1/(t√π) · (1 − 1/(2t²) + 3/(4t⁴) − …)
    const t = 26;
    expect(erfcx(t)).toBeCloseTo((1 / (t * Math.sqrt(Math.PI))) * (1 - 1 / (2 * t * t) + 3 / (4 * t ** 4)), 9);
  });
});
