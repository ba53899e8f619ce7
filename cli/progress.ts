import cliProgress from 'cli-progress';
import type { RunProgress } from '@shoutu/shared';

/** A progress bar on stderr for the tiles of one batch. */
export function tileProgressBar(label: string): RunProgress & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} tiles`, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    planned(total) {
      if (total === 0) return;
      bar.start(total, 0);
      started = true;
    },
    tileDone() {
      bar.increment();
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
