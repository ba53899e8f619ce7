/** Rounds to a fixed number of decimals so stored numbers do not carry float noise; never returns -0. */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** 1 亩 = 10000/15 m² ≈ 666.67 m² (市亩). */
export const SQUARE_METRES_PER_MU = 10000 / 15;

export function squareMetresToMu(m2: number): number {
  return m2 / SQUARE_METRES_PER_MU;
}
