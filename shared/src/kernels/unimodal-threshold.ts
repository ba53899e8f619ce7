/**
 * Rosin's threshold for a unimodal histogram (P. L. Rosin, "Unimodal thresholding", Pattern Recognition
 * 34(11):2083–2096, 2001).
 *
 * Layout: `hist` is a Float64Array of bin counts over [min, max), equal-width bins (as filled by
 * accumulateHistogram). Entries <= 0 (or NaN) count as empty.
 * Method: a straight line runs from the peak (the fullest bin, the first among equals) to the first empty
 * bin after the last filled one — the bin past the histogram when the last bin is filled, as it is when it
 * takes every value at or above max — at height 0. The threshold is at the bin between them that lies
 * farthest below that line: the corner where the mode's steep fall meets its long flat tail. For a fixed
 * line the perpendicular distance is the vertical gap times a constant, so the gap is what is maximised
 * (and neither the counts' nor the bins' units matter). Ties → the smallest bin.
 * Why: Otsu's rule (otsu.ts) assumes two classes; a histogram of one mode with a tail has none to split,
 * and this rule puts the split where the tail starts instead of through the mode.
 */

/**
 * Rosin's threshold on a histogram over [min, max): the value t such that values >= t are the upper class,
 * t = min + (k+1) * binWidth where k is the bin farthest below the line from the peak to the end of the
 * filled bins (ties → smallest k). With no populated bin, or nothing filled after the peak, returns max.
 * A tail that never falls below the line (no corner) gives the peak's own upper edge.
 */
export function rosinThreshold(hist: Float64Array, min: number, max: number): number {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
    throw new RangeError(`histogram range must be finite with min < max, got [${min}, ${max})`);
  }
  const bins = hist.length;
  let peak = -1;
  let last = -1;
  for (let k = 0; k < bins; k++) {
    const h = hist[k]!;
    if (!(h > 0)) continue;
    last = k;
    if (peak < 0 || h > hist[peak]!) peak = k;
  }
  if (peak < 0 || last === peak) return max;
  const top = hist[peak]!;
  const end = last + 1; // the first empty bin after the last filled one, where the line reaches 0
  const span = end - peak;
  let bestGap = 0;
  let bestK = peak;
  for (let k = peak + 1; k <= last; k++) {
    const h = hist[k]! > 0 ? hist[k]! : 0;
    const gap = (top * (end - k)) / span - h;
    if (gap > bestGap) {
      bestGap = gap;
      bestK = k;
    }
  }
  const binWidth = (max - min) / bins; // as otsuThreshold computes its edges
  return min + (bestK + 1) * binWidth;
}
