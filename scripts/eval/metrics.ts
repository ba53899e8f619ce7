/**
 * Binary change-detection accuracy from a confusion matrix. Pure: no I/O.
 *
 * Counts are pixels over the labelled area only (truth 0 or 1):
 *   TP  predicted change,    truth change
 *   FP  predicted change,    truth no change
 *   FN  predicted no change, truth change
 *   TN  predicted no change, truth no change
 *
 * Conventions for the degenerate cases (so every value is a finite number in [-1, 1] or [0, 1] and
 * means over pairs are always defined; the same choice as scikit-learn's `zero_division=0`):
 *  - precision = 0 when nothing is predicted as change (TP + FP = 0);
 *  - recall    = 0 when the truth has no change (TP + FN = 0);
 *  - F1        = 0 when precision + recall = 0;
 *  - Kappa     = 1 when the expected (chance) agreement is 1. That happens only when prediction and
 *    truth each put every pixel in the same single class, so the observed agreement is 1 as well:
 *    the maps are identical, and (po − pe)/(1 − pe) would be 0/0.
 * An empty matrix (no labelled pixels) has no accuracy at all: RangeError.
 */

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface Metrics {
  /** overall accuracy (TP + TN) / N */
  oa: number;
  /** Cohen's kappa (Cohen 1960): (po − pe) / (1 − pe) */
  kappa: number;
  /** TP / (TP + FP), 0 when nothing is predicted as change */
  precision: number;
  /** TP / (TP + FN), 0 when the truth has no change */
  recall: number;
  /** harmonic mean of precision and recall, 0 when both are 0 */
  f1: number;
}

export const METRIC_NAMES = ['oa', 'kappa', 'precision', 'recall', 'f1'] as const satisfies readonly (keyof Metrics)[];

function requireCount(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer count, got ${v}`);
}

/** Metrics of one confusion matrix (conventions for degenerate cases in the module comment). */
export function metricsOf(c: Confusion): Metrics {
  requireCount('tp', c.tp);
  requireCount('fp', c.fp);
  requireCount('fn', c.fn);
  requireCount('tn', c.tn);
  const n = c.tp + c.fp + c.fn + c.tn;
  if (n === 0) throw new RangeError('empty confusion matrix: no labelled pixels to score');

  const oa = (c.tp + c.tn) / n;
  const predictedChange = c.tp + c.fp;
  const trueChange = c.tp + c.fn;
  const precision = predictedChange === 0 ? 0 : c.tp / predictedChange;
  const recall = trueChange === 0 ? 0 : c.tp / trueChange;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  // Expected agreement from the marginals. The integer products are exact below 2^53 (N < 9.4e7),
  // so "pe = 1" is tested exactly rather than by a float comparison.
  const chanceAgreementNumerator = predictedChange * trueChange + (c.fn + c.tn) * (c.fp + c.tn);
  const nSquared = n * n;
  let kappa: number;
  if (chanceAgreementNumerator === nSquared) {
    kappa = 1;
  } else {
    const pe = chanceAgreementNumerator / nSquared;
    kappa = (oa - pe) / (1 - pe);
  }
  return { oa, kappa, precision, recall, f1 };
}

/** Element-wise sum of confusion matrices (pooled counts). */
export function sumConfusion(items: readonly Confusion[]): Confusion {
  const s: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const c of items) {
    s.tp += c.tp;
    s.fp += c.fp;
    s.fn += c.fn;
    s.tn += c.tn;
  }
  return s;
}

/** Arithmetic mean of each metric over several results (macro average); null for an empty list. */
export function meanMetrics(items: readonly Metrics[]): Metrics | null {
  if (items.length === 0) return null;
  const m: Metrics = { oa: 0, kappa: 0, precision: 0, recall: 0, f1: 0 };
  for (const it of items) for (const k of METRIC_NAMES) m[k] += it[k];
  for (const k of METRIC_NAMES) m[k] /= items.length;
  return m;
}

/**
 * Confusion matrix of a prediction against truth, over pixels where truth is 0 or 1.
 * `truth`: 1 change, 0 no change, `ignore` (255) not labelled; any other value is an error.
 * `predicted`: 1 change; every other value (0, and the 255 nodata of change.tif) counts as no change.
 * Returns the counts and how many labelled pixels the prediction had as nodata.
 */
export function confusionOf(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  options: { predictedNodata?: number; ignore?: number } = {},
): Confusion & { labelled: number; predictedNodataLabelled: number } {
  const ignore = options.ignore ?? 255;
  const nodata = options.predictedNodata ?? 255;
  if (predicted.length !== truth.length) throw new RangeError(`prediction has ${predicted.length} pixels but truth has ${truth.length}`);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let nod = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    if (t === ignore) continue;
    if (t !== 0 && t !== 1) throw new RangeError(`truth value ${t} at pixel ${i} is not 0, 1 or ${ignore}`);
    const p = predicted[i]!;
    if (p === nodata) nod++;
    const change = p === 1;
    if (t === 1) {
      if (change) tp++;
      else fn++;
    } else if (change) fp++;
    else tn++;
  }
  return { tp, fp, fn, tn, labelled: tp + fp + fn + tn, predictedNodataLabelled: nod };
}
