/** IR-MAD change detection (Nielsen 2007) and the small linear algebra / statistics it needs. */
export { BLOCK, MAD_VARIANCE_FLOOR, irMad, madChiSquare, madVariates } from './irmad.js';
export type { IrMadOptions, IrMadResult } from './irmad.js';
export { chiSquareSurvival, chiSquareSurvivalFor, logGamma, regularizedGammaQ } from './chi-square.js';
export {
  NotPositiveDefiniteError,
  cholesky,
  generalizedEigen,
  normaliseColumnSigns,
  solveLower,
  solveLowerTranspose,
  symmetricEigen,
} from './linear-algebra.js';
export type { EigenDecomposition } from './linear-algebra.js';
