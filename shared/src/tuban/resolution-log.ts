/**
 * The store's resolution log: `resolutions/<n>.json`, n = 1, 2, … with no gaps, each written once with
 * putIfAbsent (atomic on the local store and on S3), so exactly one finalisation commits each entry.
 */
import type { BlobStore } from '../storage/index.js';
import { keys } from '../catalog/keys.js';

/** The last entry this process saw in each store: where the next search starts. */
const lastSeen = new WeakMap<BlobStore, number>();

/**
 * Number of the last committed entry; 0 when the log is empty.
 *
 * Entry n + 1 is only written once entry n exists, so "entry n exists" holds up to the last entry and
 * fails beyond it: a galloping search (Bentley & Yao 1976) from the last entry this process saw finds it
 * with O(log d) existence checks, d the entries committed since, where listing the log would cost a
 * request per thousand entries at every finalisation, for as long as the deployment runs.
 */
export async function lastLogEntry(store: BlobStore): Promise<number> {
  const present = (n: number) => store.exists(keys.resolutionLogEntry(n));
  const hint = lastSeen.get(store) ?? 0;
  // lo: an entry known to exist (0: none needed); hi: one known not to
  let lo = hint > 0 && (await present(hint)) ? hint : 0;
  let hi = 0;
  for (let step = 1; ; step *= 2) {
    if (!(await present(lo + step))) {
      hi = lo + step;
      break;
    }
    lo += step;
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (await present(mid)) lo = mid;
    else hi = mid;
  }
  lastSeen.set(store, lo);
  return lo;
}
