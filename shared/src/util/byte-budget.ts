/**
 * A bound on the bytes several concurrent tasks hold at once (fetched file bytes waiting to be decoded).
 * Requests are granted in the order they were made: one that does not fit waits, and so does every
 * request behind it, so a large request is never starved by a stream of small ones. A request larger
 * than the whole budget is granted when nothing else is held (it could never fit otherwise).
 */
export class ByteBudget {
  readonly limit: number;
  private used = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(limit: number) {
    if (!(Number.isSafeInteger(limit) && limit >= 1)) throw new RangeError(`ByteBudget: limit must be an integer ≥ 1, got ${limit}`);
    this.limit = limit;
  }

  /** Bytes granted and not yet given back. */
  get held(): number {
    return this.used;
  }

  /** Waits until `bytes` fit, takes them, and resolves to the function that gives them back (once). */
  async acquire(bytes: number): Promise<() => void> {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`ByteBudget: bytes must be an integer ≥ 0, got ${bytes}`);
    if (this.waiting.length > 0 || !this.fits(bytes)) await new Promise<void>((grant) => this.waiting.push({ bytes, grant }));
    else this.used += bytes;
    return this.giveBack(bytes);
  }

  /**
   * Takes `bytes` now, beyond the limit if need be: for a holder that must add to what it holds to finish
   * (waiting there could wait on itself).
   */
  takeNow(bytes: number): () => void {
    this.used += bytes;
    return this.giveBack(bytes);
  }

  /** The whole budget: waits until nothing else is held and keeps every later request waiting. */
  acquireAll(): Promise<() => void> {
    return this.acquire(this.limit);
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }

  private giveBack(bytes: number): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= bytes;
      while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
        const next = this.waiting.shift()!;
        this.used += next.bytes;
        next.grant();
      }
    };
  }
}
