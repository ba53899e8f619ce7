/**
 * Queue mode's detect and alert stages on a large pair, with several detect processes: what the size of a
 * job's run of tiles (DETECT_RUN_SIDE, queue/tile-runs.ts) does to them. Runs of one tile (a job per tile)
 * are the baseline, measured in the same run, in turn with the default (8 × 8).
 *
 * For each run side: a fresh local data dir (shared by the processes, as on one machine), the workers as
 * an operator starts them (`npx shoutu worker ingest`, `detect` × N, `alert`) on the Redis at REDIS_URL
 * (default redis://127.0.0.1:6379) under a prefix of their own; the farmland layer over the scene's
 * north-west quarter; the generated pair of bench-ingest (scripts/bench/make_detect_pair.py, cached in the
 * OS temp dir) submitted as two batches. Timed: the detecting epoch from its ingest job's end to its
 * finalize job's end (the detect and alert stages); the CPU time of the detect processes and of the alert
 * process from the detecting batch's submission to that end (/proc/<pid>/stat: the detect processes start
 * on a pair's runs of tiles while ingest is still at work on the batch); the detect processes' peak RSS.
 * The batch's alerts.geojson must be the same bytes for every run side.
 *
 * Usage: npx tsx scripts/bench-queue.ts [--size 8192] [--seed 7] [--detect 2] [--sides 1,8] [--repeats 1]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, type Job } from 'bullmq';
import { createStore, defaultParameters, keys, QUEUES, submitBatch } from '../shared/src/index.js';
import { createRedis } from '../shared/src/queue/index.js';
import { ensureInputs, findPython, fmt, measure, table, vmField } from './bench/harness.js';
import { positiveIntOption as option } from './bench/options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'shoutu.mjs');

const SIZE = option('size', 8192);
const SEED = option('seed', 7);
const DETECT = option('detect', 2);
const REPEATS = option('repeats', 1);
const PATCHES = Math.max(20, Math.round((400 * SIZE * SIZE) / (8192 * 8192)));
const sidesArg = process.argv.indexOf('--sides');
const SIDES = sidesArg < 0 ? [1, 8] : process.argv[sidesArg + 1]!.split(',').map(Number);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICKS = 100; // clock ticks a second (Linux USER_HZ)

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

async function finished(queue: Queue, id: string, timeoutMs: number): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    if (job?.finishedOn !== undefined) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not finish in ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface SideResult {
  side: number;
  jobs: number;
  seconds: number;
  detectCpu: number;
  alertCpu: number;
  detectPeakMb: number;
  alerts: string;
  failedTiles: number;
}

async function runSide(side: number, batches: [string, string], farmland: string, work: string, round: number): Promise<SideResult> {
  const data = join(work, `data-side${side}-r${round}`);
  const prefix = `bench-queue-${process.pid}-${side}-${round}`;
  const env = { ...process.env, REDIS_URL, SHOUTU_QUEUE_PREFIX: prefix, SHOUTU_DATA_DIR: data, DETECT_RUN_SIDE: String(side), LOG_LEVEL: 'warn' };
  await measure(process.execPath, [cli, 'masks', '--farmland', farmland], false, 25, { SHOUTU_DATA_DIR: data });
  const start = (stage: string): ChildProcess => spawn(process.execPath, [cli, 'worker', stage], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const workers = { ingest: start('ingest'), detect: Array.from({ length: DETECT }, () => start('detect')), alert: start('alert') };
  const all = [workers.ingest, ...workers.detect, workers.alert];
  const redis = createRedis(REDIS_URL);
  const ingestQueue = new Queue(QUEUES.ingest, { connection: redis, prefix });
  const alertQueue = new Queue(QUEUES.alert, { connection: redis, prefix });
  const detectQueue = new Queue(QUEUES.detect, { connection: redis, prefix });
  const store = createStore({ kind: 'local', dir: data });
  try {
    const baseline = await submitBatch(store, ingestQueue, batches[0], defaultParameters());
    await finished(alertQueue, `finalize.${baseline.jobId}`, 600_000);
    const cpu = (children: ChildProcess[]) => children.reduce((s, c) => s + cpuSeconds(c.pid!), 0);
    // CPU from the submission: the detect processes start on a pair's tile runs while ingest is still
    // working on the batch
    const [detectBefore, alertBefore] = [cpu(workers.detect), cpu([workers.alert])];
    const detecting = await submitBatch(store, ingestQueue, batches[1], defaultParameters());
    const ingest = await finished(ingestQueue, detecting.jobId, 600_000);
    if (ingest.failedReason) throw new Error(`ingest failed: ${ingest.failedReason}`);
    const finalize = await finished(alertQueue, `finalize.${detecting.jobId}`, 1_800_000);
    if (finalize.failedReason) throw new Error(`finalize failed: ${finalize.failedReason}`);
    const [detectAfter, alertAfter] = [cpu(workers.detect), cpu([workers.alert])];
    const jobs = (await detectQueue.getJobs(['completed', 'failed'])).filter((j) => (j.data as { batchId?: string }).batchId === 'bench-2024-02').length;
    const status = JSON.parse(Buffer.from(await store.get(keys.batchStatus('bench-2024-02'))).toString('utf8')) as { tiles?: { failed: unknown[] } };
    return {
      side,
      jobs,
      seconds: (finalize.finishedOn! - ingest.finishedOn!) / 1000,
      detectCpu: detectAfter - detectBefore,
      alertCpu: alertAfter - alertBefore,
      detectPeakMb: Math.max(...workers.detect.map((c) => vmField(c.pid!, 'VmHWM') ?? 0)),
      alerts: Buffer.from(await store.get(keys.batchAlerts('bench-2024-02'))).toString('utf8'),
      failedTiles: status.tiles?.failed.length ?? -1,
    };
  } finally {
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    for (const q of [ingestQueue, alertQueue, detectQueue]) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    const leftovers = await redis.keys(`${prefix}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    redis.disconnect();
    rmSync(data, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const inputs = ensureInputs(findPython(), SIZE, SEED, PATCHES);
  const work = mkdtempSync(join(tmpdir(), 'shoutu-bench-queue-'));
  try {
    const info = JSON.parse((await measure('gdalinfo', ['-json', inputs.before], false)).stdout) as { geoTransform: number[] };
    const [x0, px, , y0, , py] = info.geoTransform as [number, number, number, number, number, number];
    const [x1, y1] = [x0 + (px * SIZE) / 2, y0 + (py * SIZE) / 2];
    const farmland = join(work, 'farmland.geojson');
    writeFileSync(farmland, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32650' } }, features: [{ type: 'Feature', properties: { name: 'north-west quarter' }, geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } }] }));
    const batches = (['2024-01', '2024-02'] as const).map((epoch, k) => {
      const dir = join(work, `batch-${epoch}`);
      mkdirSync(dir);
      symlinkSync(k === 0 ? inputs.before : inputs.after, join(dir, 'scene.tif'));
      writeFileSync(join(dir, 'batch.json'), JSON.stringify({ batchId: `bench-${epoch}`, acquiredAt: `${epoch}-15`, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' }));
      return dir;
    }) as [string, string];

    const results: SideResult[] = [];
    for (let round = 0; round < REPEATS; round++) {
      // alternate the order from round to round, so drift in the machine's speed hits both
      const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) {
        process.stderr.write(`run side ${side}, round ${round + 1} ...\n`);
        results.push(await runSide(side, batches, farmland, work, round));
      }
    }
    const base = SIDES[0]!;
    const best = (side: number) => results.filter((r) => r.side === side).sort((a, b) => a.seconds - b.seconds)[0]!;
    const baseline = best(base);
    const rows = [['run side', 'jobs', 'detect + alert s', 'detect CPU s', 'alert CPU s', 'detect peak RSS MB', `wall / side ${base}`, `detect CPU / side ${base}`, 'failed tiles']];
    for (const side of SIDES) {
      const r = best(side);
      rows.push([`${side} × ${side}`, String(r.jobs), fmt(r.seconds, 1), fmt(r.detectCpu, 1), fmt(r.alertCpu, 1), fmt(r.detectPeakMb, 0), fmt(r.seconds / baseline.seconds, 2), fmt(r.detectCpu / baseline.detectCpu, 2), String(r.failedTiles)]);
    }
    const same = results.every((r) => r.alerts === results[0]!.alerts);
    const count = (JSON.parse(results[0]!.alerts) as { features: unknown[] }).features.length;
    process.stdout.write(
      [
        `bench-queue: ${SIZE}x${SIZE} px, 4 bands uint16, DEFLATE + predictor, 512² tiles; ${DETECT} detect processes, 1 alert process; best of ${REPEATS} per run side`,
        '',
        table(rows, [false, true, true, true, true, true, true, true, true]),
        '',
        `alerts.geojson (${count} 图斑) ${same ? 'byte-identical for every run side' : 'DIFFERS between run sides'}`,
        '',
      ].join('\n'),
    );
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
