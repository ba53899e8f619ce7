/**
 * Otsu's automatic threshold on a histogram (Otsu, "A Threshold Selection Method from Gray-Level
 * Histograms", IEEE Trans. SMC 9(1), 1979).
 *
 * Layout: `hist` is Float64Array of bin counts over [min, max), equal-width bins (as filled by
 * accumulateHistogram). Entries <= 0 (or NaN) count as empty.
 * Units: the returned threshold is in the units of min and max (bin edges).
 * Method: for each split after bin k (lower class = bins 0..k) the between-class variance is
 *   σ_B²(k) = ω0 ω1 (μ1 − μ0)²                                   (Otsu 1979)
 * with class weights ω and class means μ. Means are taken over bin indices instead of bin
 * centres: centres are an affine function of the index, which scales σ_B² by a constant and
 * leaves the maximising k unchanged. Counts are used unnormalised (ω = count), which scales
 * σ_B² by 1/total² — same argmax. One pass over the bins with running sums: O(bins).
 * Ties: a later k replaces the best only when strictly greater, so the smallest k wins among
 * exactly equal maxima (splits that differ only by empty bins always tie exactly, because
 * they compute identical numbers).
 * Degenerate input: fewer than two populated bins → max (nothing is upper class).
 */

/**
 * Otsu's threshold (Otsu 1979) on a histogram over [min, max): returns the value t such that
 * values >= t are the upper class, t = min + (k+1) * binWidth where k is the last bin of the
 * lower class maximising between-class variance (ties → smallest k). If fewer than two bins are
 * populated, returns max (nothing is upper class).
 */
export function otsuThreshold(hist: Float64Array, min: number, max: number): number {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new RangeError(`histogram range must be finite with min < max, got [${min}, ${max})`);
  }
  const bins = hist.length;
  let total = 0;
  let weightedTotal = 0;
  let populated = 0;
  for (let k = 0; k < bins; k++) {
    const h = hist[k];
    if (h > 0) {
      populated++;
      total += h;
      weightedTotal += k * h;
    }
  }
  if (populated < 2) return max;

  let lowerCount = 0;
  let lowerWeighted = 0;
  let bestVariance = -1;
  let bestK = -1;
  for (let k = 0; k < bins - 1; k++) {
    const h = hist[k];
    if (h > 0) {
      lowerCount += h;
      lowerWeighted += k * h;
    }
    const upperCount = total - lowerCount;
    if (lowerCount === 0 || upperCount <= 0) continue;
    const meanDifference = (weightedTotal - lowerWeighted) / upperCount - lowerWeighted / lowerCount;
    const betweenVariance = lowerCount * upperCount * meanDifference * meanDifference;
    if (betweenVariance > bestVariance) {
      bestVariance = betweenVariance;
      bestK = k;
    }
  }
  const binWidth = (max - min) / bins;
  return min + (bestK + 1) * binWidth;
}
