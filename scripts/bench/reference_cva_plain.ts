/**
 * The "plain JS" reference of issue 3's change-pass row: the valid mask of both epochs and the z-scored
 * change-vector magnitude over 4-band uint16 planes, the same definition as reference_cva.c, written as a
 * plain loop over pixels and bands in float64 (no SIMD, no unrolling, no float32 rounding). It runs in the
 * benchmark's own process, on the engine shoutu's kernels run on, so it reads how fast this machine runs
 * ordinary JavaScript against the issue's ≈ 55 Mpx/s.
 */
import { bestTimeMs, mpxPerSec } from '../../shared/src/kernels/bench-harness.js';

export function plainValidCva(before: Uint16Array, after: Uint16Array, n: number, bands: number, meanBefore: ArrayLike<number>, stdBefore: ArrayLike<number>, meanAfter: ArrayLike<number>, stdAfter: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let valid = true;
    let sum = 0;
    for (let b = 0; b < bands; b++) {
      const x = before[b * n + i]!;
      const y = after[b * n + i]!;
      if (x === 0 || y === 0) valid = false;
      const d = (x - meanBefore[b]!) / stdBefore[b]! - (y - meanAfter[b]!) / stdAfter[b]!;
      sum += d * d;
    }
    out[i] = valid ? Math.sqrt(sum / bands) : 0;
  }
}

/** Mpx/s of plainValidCva on the pair (best run after warm-up, as the C references time theirs), and its checksum. */
export function timePlainValidCva(before: Uint16Array, after: Uint16Array, n: number, bands: number, stats: { beforeMean: ArrayLike<number>; beforeStd: ArrayLike<number>; afterMean: ArrayLike<number>; afterStd: ArrayLike<number> }): { mpxPerSec: number; checksum: number } {
  const out = new Float32Array(n);
  const ms = bestTimeMs(() => plainValidCva(before, after, n, bands, stats.beforeMean, stats.beforeStd, stats.afterMean, stats.afterStd, out), 1, 5);
  let checksum = 0;
  for (let i = 0; i < n; i++) checksum += out[i]!;
  return { mpxPerSec: mpxPerSec(n, ms), checksum };
}
