/**
 * Runs every benchmark, in order, each as its own child process (`npx tsx …`), streaming its output:
 *
 *   kernels  scripts/bench.ts          pixel kernels against naive baselines
 *   decode   scripts/bench-decode.ts   GeoTIFF decode against GDAL
 *   detect   scripts/bench-detect.ts   `shoutu detect` end to end against GDAL's decode-only time
 *   ingest   scripts/bench-ingest.ts   peak RSS of `shoutu ingest` (ingest + detection + alerts) on a 20000² pair
 *   layers   scripts/bench-layers.ts   parsing and reprojecting a county-size farmland layer
 *   drone    scripts/bench-drone.ts    `shoutu detect` on drone orthophotos: blocks once against each tile's halo
 *
 * Usage: npm run bench [-- --only kernels|decode|detect|ingest|layers|drone] [-- <args after "--" go to the selected bench>]
 *        npx tsx scripts/bench-all.ts --only detect -- --size 4096
 *
 * --only may be repeated or comma-separated. Arguments after a bare "--" are passed to every selected
 * bench (use with --only). All selected benches run even when one fails; the exit code is 1 when any
 * failed (or was killed), 2 on bad arguments, else 0. A summary line per bench ends the output.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const BENCHES = [
  { name: 'kernels', script: 'scripts/bench.ts' },
  { name: 'decode', script: 'scripts/bench-decode.ts' },
  { name: 'detect', script: 'scripts/bench-detect.ts' },
  { name: 'ingest', script: 'scripts/bench-ingest.ts' },
  { name: 'layers', script: 'scripts/bench-layers.ts' },
  { name: 'drone', script: 'scripts/bench-drone.ts' },
] as const;
type BenchName = (typeof BENCHES)[number]['name'];

const USAGE = `usage: tsx scripts/bench-all.ts [--only kernels|decode|detect|ingest|layers|drone]... [-- ARGS for the selected benches]`;

function parse(argv: string[]): { only: Set<BenchName>; passThrough: string[] } | null {
  const only = new Set<BenchName>();
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const passThrough = dash < 0 ? [] : argv.slice(dash + 1);
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    let value: string | undefined;
    if (a === '--only') value = own[++i];
    else if (a.startsWith('--only=')) value = a.slice('--only='.length);
    else if (a === '--help' || a === '-h') return null;
    else {
      process.stderr.write(`bench-all: unknown argument "${a}"\n`);
      return null;
    }
    if (value === undefined || value === '') {
      process.stderr.write('bench-all: --only needs a value\n');
      return null;
    }
    for (const v of value.split(',')) {
      const b = BENCHES.find((x) => x.name === v.trim());
      if (!b) {
        process.stderr.write(`bench-all: unknown bench "${v}" (${BENCHES.map((b) => b.name).join(', ')})\n`);
        return null;
      }
      only.add(b.name);
    }
  }
  return { only, passThrough };
}

/** Runs one bench with inherited stdio (output streams as it comes); resolves with its exit status. */
function run(script: string, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', script, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', (error) => {
      process.stderr.write(`bench-all: cannot start ${script}: ${error.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (parsed === null) {
    process.stderr.write(`${USAGE}\n`);
    return process.argv.includes('--help') || process.argv.includes('-h') ? 0 : 2;
  }
  const selected = BENCHES.filter((b) => parsed.only.size === 0 || parsed.only.has(b.name));
  const results: string[] = [];
  let failed = false;
  for (const b of selected) {
    const started = performance.now();
    process.stdout.write(`\n=== ${b.name}: npx tsx ${b.script}${parsed.passThrough.length ? ` ${parsed.passThrough.join(' ')}` : ''}\n\n`);
    const { code, signal } = await run(b.script, parsed.passThrough);
    const seconds = (performance.now() - started) / 1000;
    const ok = code === 0;
    if (!ok) failed = true;
    results.push(`${b.name.padEnd(8)} ${ok ? 'ok    ' : 'FAILED'} ${seconds.toFixed(1).padStart(6)} s${ok ? '' : signal ? ` (killed by ${signal})` : ` (exit ${code})`}`);
  }
  process.stdout.write(`\n=== summary\n${results.join('\n')}\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
