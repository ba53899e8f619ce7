/**
 * Pixel kernels: pure functions over flat typed arrays (see each file's header for layout,
 * units and nodata/edge rules). Test and benchmark helpers are deliberately not re-exported.
 */

export { andValidMask } from './valid-mask.js';
export { accumulateBandStats, finishBandStats } from './band-stats.js';
export type { BandStats } from './band-stats.js';
export { changeVectorMagnitude, ndviDrop } from './change-vector.js';
export { accumulateHistogram, histogramQuantile } from './histogram.js';
export { otsuThreshold } from './otsu.js';
export { rosinThreshold } from './unimodal-threshold.js';
export { close3x3, dilate3x3, erode3x3, open3x3 } from './morphology.js';
export { labelComponents, labelComponentsWithStats, labelScratchLength } from './label-components.js';
export { componentStats } from './component-stats.js';
export type { ComponentStats } from './component-stats.js';
export { ringArea, traceOutline } from './trace-outline.js';
export { madChiScore } from './mad-chi-score.js';
export { whitenedChiScore } from './whitened-chi-score.js';
export { fuseMinScaled } from './fuse-scores.js';
export { boxMean3x3 } from './box-mean-3x3.js';
export { boxMeanMin, boxMeanValid } from './box-mean.js';
export { gradientChange } from './gradient-change.js';
export { fuseGeometricMean3 } from './fuse-geometric.js';
export { fillPolygon } from './rasterize-polygon.js';
export { andNotEveryBandAtMask } from './every-band-at-mask.js';
export { andClearSkyMask, CLOUD_TESTS, type CloudBands } from './cloud-mask.js';
export { clearPairShadows, SHADOW_TESTS, type ShadowBands, type ShadowEpoch } from './cloud-shadow-pair.js';
export { andMaskPlane, clearInvalidSamples } from './mask-band.js';
export { bareSoilIndex, chroma, excessGreen, normalizedDifference, zBrightness } from './spectral-indices.js';
export { accumulateLabelSums } from './label-sums.js';
