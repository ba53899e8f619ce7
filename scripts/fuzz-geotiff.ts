/**
 * Mutation fuzzing of the GeoTIFF reader at scale: the damage of test/raster/mutation-fuzz.test.ts
 * (test/support/mutate-geotiff.ts), many more cases and any seed, each case in a child process watched for
 * hangs. Every damaged file must decode whole or be refused with a ShoutuError whose message names the file
 * and which names a field; anything else — another exception, a case slower than the time limit, a child
 * that dies — is printed with its flavour, seed and case, which reproduce it.
 *
 * Usage: npx tsx scripts/fuzz-geotiff.ts [--cases N] [--seed S] [--timeout MS] [flavour.tif ...]
 *   (flavours: files of fixtures/raster/matrix; default: every one of them)
 */

import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openGeoTiff } from '../shared/src/raster/index.js';
import { ShoutuError } from '../shared/src/errors.js';
import { mulberry32 } from '../shared/src/kernels/test-random.js';
import { mutate, readWhole } from '../test/support/mutate-geotiff.js';

const MATRIX = fileURLToPath(new URL('../fixtures/raster/matrix/', import.meta.url));
const NAME = 'damaged.tif';

/** Why one case fails, or null when it passes (a full decode, or a clear refusal). */
async function runCase(original: Uint8Array, seed: number): Promise<string | null> {
  const bytes = mutate(original, mulberry32(seed));
  try {
    const raster = await openGeoTiff({ bytes }, NAME);
    try {
      await readWhole(raster);
    } finally {
      await raster.close();
    }
    return null;
  } catch (error) {
    if (!(error instanceof ShoutuError)) return `not a ShoutuError: ${String((error as Error)?.stack ?? error)}`;
    if (!error.field) return `no field: ${error.code}: ${error.message}`;
    if (!error.message.startsWith(`${NAME}: `)) return `message does not name the file: ${error.message}`;
    return null;
  }
}

const caseSeed = (seed: number, flavour: string, i: number) => (seed + i * 7919 + flavour.length * 104729) >>> 0;

/** Child: runs cases [from, to) of a flavour, telling the parent as each starts and what fails. */
async function child(flavour: string, seed: number, from: number, to: number): Promise<void> {
  const original = new Uint8Array(readFileSync(join(MATRIX, flavour)));
  for (let i = from; i < to; i++) {
    process.send!({ start: i });
    const failure = await runCase(original, caseSeed(seed, flavour, i));
    if (failure !== null) process.send!({ failure: i, message: failure });
  }
  process.send!({ end: to });
}

/** Parent: runs a flavour's cases in a child, restarting past a case that hangs or kills it. */
async function fuzzFlavour(flavour: string, cases: number, seed: number, timeoutMs: number): Promise<number> {
  let next = 0;
  let failures = 0;
  const report = (i: number, message: string) => {
    failures++;
    console.log(`FAIL ${flavour} seed ${seed} case ${i} (mutation seed ${caseSeed(seed, flavour, i)}): ${message.split('\n').slice(0, 6).join('\n    ')}`);
  };
  while (next < cases) {
    const from = next;
    await new Promise<void>((resolve) => {
      const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', flavour, String(seed), String(from), String(cases)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let current = from;
      let timer: NodeJS.Timeout | null = null;
      let settled = false;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          report(current, `no outcome within ${timeoutMs} ms`);
          next = current + 1;
          settled = true;
          proc.kill('SIGKILL');
        }, timeoutMs);
      };
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      proc.on('message', (m: { start?: number; failure?: number; message?: string; end?: number }) => {
        if (m.start !== undefined) {
          current = m.start;
          arm();
        } else if (m.failure !== undefined) report(m.failure, m.message!);
        else if (m.end !== undefined) {
          next = m.end;
          settled = true;
        }
      });
      proc.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (!settled) {
          report(current, `the process died (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
          next = current + 1;
        }
        resolve();
      });
      arm();
    });
  }
  return failures;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1]!, Number(args[2]), Number(args[3]), Number(args[4]));
    return;
  }
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args.splice(at, 2)[1]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: a non-negative number is needed`);
    return value;
  };
  const cases = option('--cases', 1000);
  const seed = option('--seed', 1);
  const timeoutMs = option('--timeout', 10_000);
  const flavours = args.length > 0 ? args : readdirSync(MATRIX).filter((f) => f.endsWith('.tif')).sort();
  let failures = 0;
  for (const flavour of flavours) {
    const started = performance.now();
    const failed = await fuzzFlavour(flavour, cases, seed, timeoutMs);
    failures += failed;
    console.log(`${flavour}: ${cases} cases, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`${failures} failure(s) in ${flavours.length} flavour(s) × ${cases} cases, seed ${seed}`);
  process.exitCode = failures > 0 ? 1 : 0;
}

await main();
