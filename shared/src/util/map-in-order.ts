/**
 * Store requests one stage keeps in flight when it reads or writes many small objects (tile results,
 * digests, catalog entries). Each request to S3 or MinIO waits a round trip of milliseconds, so a stage
 * that awaits them one after the other is bound by that latency, not by the store; 16 keeps the S3
 * client's sockets (50 by default) from queueing and a local disk's thread pool busy.
 */
export const STORE_REQUESTS_IN_FLIGHT = 16;

/**
 * Calls `fn` on every item, at most `limit` calls pending at once, and resolves to the results in the
 * items' order, however the calls finish. After a call rejects no further call starts; the calls already
 * started are awaited (nothing runs on after this returns) and the first rejection is thrown.
 */
export async function mapInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`mapInOrder: limit must be an integer ≥ 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
