/**
 * What the end-to-end benches share: the cached synthetic pair (make_detect_pair.py), python helpers,
 * and running a command while measuring wall time, CPU time and peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** Bump when the generated scene changes meaning (the generator script's hash is in the key as well). */
const GENERATOR_VERSION = 'detect-pair-v1';

export function findPython(): string {
  for (const p of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import osgeo, numpy'], { stdio: 'ignore' });
    if (r.status === 0) return p;
  }
  throw new Error('bench-detect needs a python3 with GDAL bindings (osgeo) and numpy');
}

export function runPython(python: string, script: string, args: string[]): string {
  const r = spawnSync(python, [join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Runs a python helper under /usr/bin/time: its stdout and its CPU time (user + sys, s). */
export function runPythonTimed(python: string, script: string, args: string[]): { stdout: string; cpuSeconds: number | null } {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', python, join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status}): ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { stdout: r.stdout, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null };
}

/** Runs a python helper asynchronously; resolves with its stdout. */
export function runPythonAsync(python: string, script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(here, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} failed (exit ${code}): ${err}`))));
  });
}

export const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

export function fmt(v: number, digits = 0): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function table(rows: string[][], numeric: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

export interface Inputs {
  dir: string;
  before: string;
  after: string;
  truth: string;
  files: Record<string, number>;
  changePixels: number;
  generated: boolean;
  seconds: number;
}

/** The cached pair, generated on first use (into a scratch dir, renamed into place when complete). */
export function ensureInputs(python: string, SIZE: number, SEED: number, PATCHES: number): Inputs {
  const script = readFileSync(join(here, 'make_detect_pair.py'));
  const scriptHash = createHash('sha256').update(script).digest('hex').slice(0, 10);
  const dir = join(tmpdir(), `shoutu-bench-detect-${GENERATOR_VERSION}-${scriptHash}-${SIZE}-s${SEED}-p${PATCHES}`);
  const metaPath = join(dir, 'meta.json');
  let generated = false;
  if (!existsSync(metaPath)) {
    const scratch = `${dir}.partial-${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    process.stderr.write(`generating the ${SIZE}x${SIZE} pair (${PATCHES} change patches) into ${dir} (cached for later runs; about 40 s at 8192) ...\n`);
    try {
      const out = runPython(python, 'make_detect_pair.py', [scratch, String(SIZE), String(SEED), String(PATCHES)]);
      writeFileSync(join(scratch, 'meta.json'), out.trim() + '\n');
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
    } catch (error) {
      rmSync(scratch, { recursive: true, force: true });
      throw error;
    }
    generated = true;
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { files: Record<string, number>; changePixels: number; seconds: number };
  return { dir, before: join(dir, 'before.tif'), after: join(dir, 'after.tif'), truth: join(dir, 'truth.tif'), files: meta.files, changePixels: meta.changePixels, generated, seconds: meta.seconds };
}

export interface RunResult {
  seconds: number;
  cpuSeconds: number | null;
  peakRssMb: number | null;
  stdout: string;
  /** RSS samples (monotonic µs, MB), only when polled. */
  rss: Array<[number, number]>;
  startUs: number;
}

export function vmField(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Spawns a command, measures its wall time, and its peak RSS either from /usr/bin/time -v (when
 * `timeV`) or by polling /proc/<pid>/status (VmRSS timeline and VmHWM).
 */
export function measure(command: string, args: string[], timeV: boolean, pollMs = 25, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const startUs = nowUs();
    const options = { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } };
    const child = timeV ? spawn('/usr/bin/time', ['-v', command, ...args], options) : spawn(command, args, options);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const rss: Array<[number, number]> = [];
    let hwm = 0;
    const timer = timeV
      ? null
      : setInterval(() => {
          if (child.pid === undefined) return;
          const v = vmField(child.pid, 'VmRSS');
          if (v !== null) rss.push([nowUs(), v]);
          hwm = Math.max(hwm, vmField(child.pid, 'VmHWM') ?? 0);
        }, pollMs);
    child.on('error', (e) => {
      if (timer) clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      const seconds = (nowUs() - startUs) / 1e6;
      if (timer) clearInterval(timer);
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${err}`));
        return;
      }
      let cpuSeconds: number | null = null;
      let peakRssMb: number | null = hwm > 0 ? hwm : null;
      if (timeV) {
        const user = /User time \(seconds\): ([\d.]+)/.exec(err);
        const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
        const maxRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
        if (user && sys) cpuSeconds = Number(user[1]) + Number(sys[1]);
        if (maxRss) peakRssMb = Number(maxRss[1]) / 1024;
      }
      resolve({ seconds, cpuSeconds, peakRssMb, stdout: out, rss, startUs });
    });
  });
}

export function hasTimeV(): boolean {
  const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
}

