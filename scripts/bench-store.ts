/**
 * What a store's round trips cost the main job: `shoutu ingest` in embedded mode (ingest, detection, alerts
 * with evidence, finalisation) of two epochs of a generated SIZE×SIZE 4-band uint16 DEFLATE pair
 * (scripts/bench/make_detect_pair.py, cached in the OS temp dir), first on a local data dir (the baseline,
 * measured in the same run), then on an S3-compatible server (s3rver, the tests' server) behind a proxy
 * that holds every request LATENCY ms, as a store across a network does. Prints wall time and requests per
 * epoch and each epoch's time on the store against the local one, then each S3 epoch's requests by kind
 * (method and the key's family: which stage's round trips to look at).
 *
 * Usage: npx tsx scripts/bench-store.ts [--size 4096] [--tile-size 256] [--latency 10] [--threads 1]
 *                                       [--shoutu DIR]
 *
 * --shoutu: the checkout whose bin/shoutu.mjs runs (default this one), e.g. a worktree of an earlier commit
 * (scripts/bench/worktree.sh) to measure a change against it in turn.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInputs, findPython, fmt, measure, table } from './bench/harness.js';
import { positiveIntOption as option } from './bench/options.js';
import { S3RVER_CREDENTIALS, startS3Server } from '../test/support/s3-server.js';
import { startCountingProxy } from '../test/support/counting-proxy.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = option('size', 4096);
const TILE = option('tile-size', 256);
const LATENCY_MS = option('latency', 10);
const THREADS = option('threads', 1);
const shoutuArg = process.argv.indexOf('--shoutu');
const SHOUTU = shoutuArg < 0 ? root : resolve(process.argv[shoutuArg + 1]!);
const cli = join(SHOUTU, 'bin', 'shoutu.mjs');

async function main(): Promise<void> {
  const inputs = ensureInputs(findPython(), SIZE, 7, Math.max(20, Math.round((400 * SIZE * SIZE) / (8192 * 8192))));
  const work = mkdtempSync(join(tmpdir(), 'shoutu-bench-store-'));
  const s3 = await startS3Server();
  const proxy = await startCountingProxy(s3.endpoint, { delayMs: LATENCY_MS });
  try {
    const batches = (['before', 'after'] as const).map((file, i) => {
      const epoch = `2024-0${i + 1}`;
      const dir = join(work, `batch-${epoch}`);
      mkdirSync(dir);
      symlinkSync(inputs[file], join(dir, 'scene.tif'));
      const manifest = { batchId: `bench-${epoch}`, acquiredAt: `${epoch}-15`, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' };
      writeFileSync(join(dir, 'batch.json'), JSON.stringify(manifest));
      return { epoch, dir };
    });
    const stores: Array<{ name: string; remote: boolean; env: Record<string, string> }> = [
      { name: 'local data dir', remote: false, env: { SHOUTU_DATA_DIR: join(work, 'data') } },
      {
        name: `S3 server, +${LATENCY_MS} ms a request`,
        remote: true,
        env: { S3_BUCKET: s3.bucket, S3_ENDPOINT: proxy.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey },
      },
    ];
    const rows: string[][] = [['store', 'epoch', 'wall s', 'requests', '× local', 'result']];
    const byKind = new Map<string, Map<string, number>>(); // epoch -> kind -> requests
    const local = new Map<string, number>();
    for (const store of stores) {
      for (const { epoch, dir } of batches) {
        proxy.reset();
        // every 图斑 is alerted (no mask layer needed), so the evidence and finalisation run in full
        const r = await measure(process.execPath, [cli, 'ingest', dir, '--tile-size', String(TILE), '--alert-on', 'all'], false, 200, { ...store.env, SHOUTU_THREADS: String(THREADS) });
        if (!local.has(epoch)) local.set(epoch, r.seconds);
        const summary = /batch \S+: .*/.exec(r.stdout)?.[0] ?? '';
        const requests = store.remote ? String(proxy.requests.length) : '';
        if (store.remote) byKind.set(epoch, countByKind(proxy.requests));
        rows.push([store.name, epoch, fmt(r.seconds, 1), requests, fmt(r.seconds / local.get(epoch)!, 2), summary]);
      }
    }
    process.stdout.write(
      [
        `bench-store: ${SIZE}x${SIZE} px, 4 bands uint16, DEFLATE + predictor, ${TILE}² tiles, SHOUTU_THREADS=${THREADS}, shoutu from ${SHOUTU}`,
        '',
        table(rows, [false, false, true, true, true, false]),
        '',
        'S3 requests by kind (method, key family; LIST: by the prefix listed):',
        table(kindRows(byKind), [false, ...[...byKind.keys()].map(() => true)]),
        '',
      ].join('\n'),
    );
  } finally {
    await proxy.close();
    await s3.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * "GET batches/*\/files" for "GET /bucket/batches/b1/files/scene.tif", "LIST catalog/cells" for a listing
 * of "catalog/cells/…": the first segment of the key, for batches the part of the batch, for the catalog
 * the kind of entry.
 */
function requestKind(request: string): string {
  const [method, target] = request.split(' ') as [string, string];
  const url = new URL(target, 'http://store');
  const prefix = url.searchParams.get('prefix');
  const key = prefix ?? decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
  const parts = key.split('/');
  const family = parts[0] === 'batches' ? `batches/*/${parts[2] ?? ''}` : parts[0] === 'catalog' ? `catalog/${parts[1] ?? ''}` : parts[0]!;
  return `${prefix !== null ? 'LIST' : method} ${family}`;
}

function countByKind(requests: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const kind = requestKind(r);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** One row a kind, one column an epoch, most requests first. */
function kindRows(byKind: Map<string, Map<string, number>>): string[][] {
  const epochs = [...byKind.keys()];
  const kinds = new Map<string, number>();
  for (const counts of byKind.values()) for (const [kind, n] of counts) kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  const sorted = [...kinds.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([kind]) => kind);
  return [['kind', ...epochs], ...sorted.map((kind) => [kind, ...epochs.map((e) => String(byKind.get(e)!.get(kind) ?? 0))])];
}

await main();
