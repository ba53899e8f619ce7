/**
 * Result row of a kernel benchmark (see `*.bench.ts` beside each kernel and scripts/bench.ts).
 *
 * Throughputs are in megapixels per second (10^6 pixels of the benchmark image per second,
 * whatever number of bands or bytes a pixel carries), so a kernel and its baseline are directly
 * comparable: ratio = mpxPerSec / baselineMpxPerSec.
 */
export interface BenchResult {
  /** what was timed, e.g. "open3x3 (sparse blobs 5 %)" */
  name: string;
  /** best-of-N throughput of the kernel */
  mpxPerSec: number;
  /** best-of-N throughput of the baseline, measured in the same run */
  baselineMpxPerSec: number;
  /** what the baseline is, e.g. "set() copy of 128 MiB" */
  baseline: string;
  /** value derived from the kernel's output after timing (keeps the work observable; equal across equivalent implementations) */
  checksum: number;
  /** the throughput this kernel should reach (Mpx/s; issue 3's speed table), null when none is set (reference rows) */
  targetMpxPerSec: number | null;
}
