/**
 * The k-th smallest value of a Float32Array (k from 0), by Hoare's selection with a median-of-three pivot:
 * linear time on average where sorting is n log n, and the same value sorting would put at index k (an
 * order statistic does not depend on how it is found). Reorders `values[from..to)` in place: afterwards
 * every value before index k is ≤ the result and every value after it ≥ it, so a larger order statistic
 * can be selected next within [k, to). Values must not be NaN (callers keep only valid samples).
 * A range that keeps splitting badly (adversarial order) is finished by sorting, so the cost is bounded by
 * a sort's.
 */
export function selectKth(values: Float32Array, k: number, from = 0, to = values.length): number {
  if (!Number.isInteger(k) || k < from || k >= to) throw new RangeError(`selectKth: k ${k} outside [${from}, ${to})`);
  let lo = from;
  let hi = to - 1;
  let rounds = 0;
  while (hi > lo) {
    if (++rounds > 64) {
      values.subarray(lo, hi + 1).sort();
      return values[k]!;
    }
    const mid = (lo + hi) >>> 1;
    // median of three at mid, the smallest at lo, the largest at hi (sentinels for the scans below)
    if (values[mid]! < values[lo]!) swap(values, lo, mid);
    if (values[hi]! < values[lo]!) swap(values, lo, hi);
    if (values[hi]! < values[mid]!) swap(values, mid, hi);
    const pivot = values[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi], and everything strictly between j and i equals the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
