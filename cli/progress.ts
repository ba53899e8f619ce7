import { stat } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import type { BatchSource, RunProgress } from '@shoutu/shared';

/**
 * Progress bars go to stderr, always: redrawn in place on a terminal, one line every 2 s otherwise (logs
 * of a cron job or CI show that the run is alive). stdout carries only the results and the report.
 */
const BAR_OPTIONS = { stream: process.stderr, noTTYOutput: true, notTTYSchedule: 2000, hideCursor: true } as const;

/** A progress bar on stderr for the tiles of one batch. */
export function tileProgressBar(label: string): RunProgress & { stop(): void } {
  const bar = new cliProgress.SingleBar({ ...BAR_OPTIONS, format: `${label} [{bar}] {value}/{total} tiles` }, cliProgress.Presets.shades_classic);
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

/** What an ingest read from its batch. */
export interface ReadCounts {
  /** GeoTIFFs read (each counted once) */
  files: number;
  /** their bytes */
  bytes: number;
}

export interface IngestProgress extends RunProgress {
  /** The batch source, counting what is read through it. */
  watch(source: BatchSource): BatchSource;
  readonly read: Readonly<ReadCounts>;
  stop(): void;
}

/**
 * The ingest progress bar: while files are read, files read of the batch's GeoTIFFs and MB/s; then the
 * tiles queued for detection and how many are done.
 */
export function ingestProgress(label: string): IngestProgress {
  const bar = new cliProgress.SingleBar(
    { ...BAR_OPTIONS, format: `${label} [{bar}] {value}/{total} {unit} | files read {files}/{fileTotal} | {mb} MB at {rate} MB/s | tiles queued {queued}` },
    cliProgress.Presets.shades_classic,
  );
  const startedAt = Date.now();
  const read: ReadCounts = { files: 0, bytes: 0 };
  const seen = new Set<string>();
  let bytesRead = 0; // every read, for the rate (a quarantined file is read twice)
  let fileTotal = 0;
  let queued = 0;
  let phase: 'idle' | 'files' | 'tiles' = 'idle';
  let readSeconds: number | null = null; // the reading rate stays as it was once the files are read
  const payload = () => {
    const seconds = readSeconds ?? Math.max((Date.now() - startedAt) / 1000, 0.001);
    return {
      unit: phase === 'tiles' ? 'tiles' : 'files',
      files: read.files,
      fileTotal,
      mb: (read.bytes / 1e6).toFixed(1),
      rate: (bytesRead / 1e6 / seconds).toFixed(1),
      queued,
    };
  };
  const counted = (name: string, bytes: number) => {
    bytesRead += bytes;
    if (/\.tiff?$/i.test(name) && !seen.has(name)) {
      seen.add(name);
      read.files += 1;
      read.bytes += bytes;
    }
    if (phase === 'files') bar.update(read.files, payload());
  };
  return {
    read,
    watch(source) {
      return {
        name: source.name,
        describe: (name) => source.describe(name),
        async list() {
          const names = await source.list();
          if (phase === 'idle') {
            fileTotal = names.filter((n) => /\.tiff?$/i.test(n)).length;
            phase = 'files';
            bar.start(Math.max(fileTotal, 1), 0, payload());
          }
          return names;
        },
        async read(name) {
          const bytes = await source.read(name);
          counted(name, bytes.byteLength);
          return bytes;
        },
        async localFile(name) {
          // a folder's file is read in place, an S3 object is copied to a temporary file first
          const local = await source.localFile(name);
          counted(name, (await stat(local.path)).size);
          return local;
        },
      };
    },
    planned(total) {
      queued = total;
      readSeconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
      if (total === 0) {
        if (phase === 'files') bar.update(read.files, payload()); // a first epoch: nothing to detect
        return;
      }
      if (phase === 'idle') bar.start(total, 0, payload());
      phase = 'tiles';
      bar.setTotal(total);
      bar.update(0, payload());
    },
    tileDone() {
      bar.increment(1, payload());
    },
    stop() {
      if (phase !== 'idle') bar.stop();
    },
  };
}
