/**
 * Memory of ingest + detection on a large pair (issue: ingest any GeoTIFF with bounded memory): two epochs of
 * a generated SIZE×SIZE 4-band uint16 DEFLATE GeoTIFF (default 20000², scripts/bench/make_detect_pair.py, cached
 * in the OS temp dir), each run as an operator does — `npx shoutu ingest DIR` in embedded mode (ingest,
 * per-tile detection, alerts with evidence, finalisation) — under /usr/bin/time -v: wall time, CPU time and
 * peak RSS of the whole process. A farmland layer over the scene's north-west quarter makes the patches there
 * into 图斑, so the alert stage (evidence chips) runs too. Target: peak RSS < 1 GB for each epoch.
 *
 * Usage: npx tsx scripts/bench-ingest.ts [--size 20000] [--seed 7] [--patches N] [--threads 1,2] [--keep]
 *                                        [--farmland LAYER]
 *
 * --farmland: a farmland layer of one's own in place of the quarter (a county's, of many parcels; any form
 * `shoutu masks` takes), to measure what its size costs the run.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInputs, findPython, fmt, hasTimeV, measure, table } from './bench/harness.js';
import { positiveIntOption as option } from './bench/options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'shoutu.mjs');

const SIZE = option('size', 20000);
const SEED = option('seed', 7);
const PATCHES = option('patches', Math.max(20, Math.round((400 * SIZE * SIZE) / (8192 * 8192))));
const threadsArg = process.argv.indexOf('--threads');
const THREADS = threadsArg < 0 ? [1, 2] : process.argv[threadsArg + 1]!.split(',').map(Number);
const KEEP = process.argv.includes('--keep');
const farmlandArg = process.argv.indexOf('--farmland');
const FARMLAND = farmlandArg < 0 ? null : process.argv[farmlandArg + 1]!;
const LIMIT_MB = 1024;

async function main(): Promise<void> {
  if (!hasTimeV()) throw new Error('bench-ingest needs GNU time (/usr/bin/time -v) for peak RSS');
  const python = findPython();
  const inputs = ensureInputs(python, SIZE, SEED, PATCHES);
  const work = mkdtempSync(join(tmpdir(), 'shoutu-bench-ingest-'));
  try {
    // gdalinfo, not `shoutu info`: the latter hashes every sample, a full decode of the 2 GB file.
    const info = JSON.parse((await measure('gdalinfo', ['-json', inputs.before], false)).stdout) as { geoTransform: number[] };
    const [x0, px, , y0, , py] = info.geoTransform as [number, number, number, number, number, number];
    const [x1, y1] = [x0 + (px * SIZE) / 2, y0 + (py * SIZE) / 2];
    const farmland = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32650' } },
      features: [{ type: 'Feature', properties: { name: 'north-west quarter' }, geometry: { type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } }],
    };
    writeFileSync(join(work, 'farmland.geojson'), JSON.stringify(farmland));

    const rows: string[][] = [['run', 'wall s', 'CPU s', 'peak RSS MB', `< ${LIMIT_MB} MB`, 'result']];
    const verdicts: string[] = [];
    for (const threads of THREADS) {
      const data = join(work, `data-t${threads}`);
      const env = { SHOUTU_DATA_DIR: data, SHOUTU_THREADS: String(threads) };
      await measure(process.execPath, [cli, 'masks', '--farmland', FARMLAND ?? join(work, 'farmland.geojson')], false, 25, env);
      for (const [epoch, file, date] of [['2024-01', inputs.before, '2024-01-15'], ['2024-02', inputs.after, '2024-02-15']] as const) {
        const batchDir = join(work, `batch-t${threads}-${epoch}`);
        mkdirSync(batchDir);
        symlinkSync(file, join(batchDir, 'scene.tif'));
        const manifest = { batchId: `bench-${epoch}`, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' };
        writeFileSync(join(batchDir, 'batch.json'), JSON.stringify(manifest));
        const r = await measure(process.execPath, [cli, 'ingest', batchDir], true, 25, env);
        const summary = /batch \S+: .*/.exec(r.stdout)?.[0] ?? r.stdout.trim().split('\n').slice(-1)[0] ?? '';
        const ok = r.peakRssMb !== null && r.peakRssMb < LIMIT_MB;
        rows.push([`ingest ${epoch} (${epoch === '2024-01' ? 'baseline' : 'detect + alerts'}), SHOUTU_THREADS=${threads}`, fmt(r.seconds, 1), r.cpuSeconds === null ? '' : fmt(r.cpuSeconds, 1), r.peakRssMb === null ? '?' : fmt(r.peakRssMb, 0), ok ? 'yes' : 'NO', summary]);
        verdicts.push(`${epoch} threads=${threads}: peak RSS ${r.peakRssMb === null ? '?' : fmt(r.peakRssMb, 0)} MB — target < ${LIMIT_MB} MB: ${ok ? 'met' : 'NOT met'}`);
      }
    }
    const mb = (bytes: number) => fmt(bytes / 1e6, 0);
    process.stdout.write(
      [
        `bench-ingest: ${SIZE}x${SIZE} px, 4 bands uint16, DEFLATE + predictor, 512² tiles; files ${Object.entries(inputs.files).map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')}`,
        `inputs ${inputs.generated ? `generated in ${fmt(inputs.seconds, 1)} s` : 'from cache'} (${inputs.dir})`,
        '',
        table(rows, [false, true, true, true, false, false]),
        '',
        ...verdicts,
        '',
      ].join('\n'),
    );
  } finally {
    if (KEEP) process.stderr.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
