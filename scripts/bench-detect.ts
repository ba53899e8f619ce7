/**
 * End-to-end change-detection benchmark: `shoutu detect` on a large co-registered pair, against GDAL's
 * decode-only time of the same two files (the speed reference, measured in the same run).
 *
 * Usage: npx tsx scripts/bench-detect.ts [--size 8192] [--repeats 2] [--patches N] [--seed N]
 *                                        [--no-profile] [--top 15] [--keep]
 *
 * 1. Inputs: scripts/bench/make_detect_pair.py (GDAL + numpy) writes a seeded synthetic pair, size x size,
 *    4 bands uint16 (blue, green, red, nir), DEFLATE + predictor 2, 512x512 tiles, EPSG:32650 on a 2 m
 *    grid: parcels of land-cover classes, illumination gradients, texture and sensor noise; the after
 *    image has a global per-band gain/offset, fresh noise and N inserted change patches (rectangles and
 *    blobs 5-200 px across; default 400 at 8192, scaled with the area), plus truth.tif. They are cached in
 *    the OS temp dir under a key made of GENERATOR_VERSION, a hash of the generator script, size, seed
 *    and patch count, so only the first run pays for them (about 40 s at 8192).
 * 2. --repeats rounds, each in turn (so load from elsewhere on the machine hits all alike):
 *    - GDAL decode-only, 1 thread: scripts/bench/gdal_decode_blocks.py decodes both files, every 512x512
 *      window in raster order (ReadAsArray, all bands), in one process; its own clock, no interpreter start;
 *    - GDAL decode-only on both cores: the same, one process per file, run at once (slowest of the two);
 *    - `node bin/shoutu.mjs detect --before … --after … --bands blue,green,red,nir --out <tmp>` under
 *      /usr/bin/time -v, once with SHOUTU_THREADS=1 and once with SHOUTU_THREADS=2: wall time (this
 *      process's clock: includes node's start and loading the bundle, or tsx compiling the sources when
 *      the bundle is not current — run `npm run build` first), CPU time and peak RSS ("Maximum resident
 *      set size").
 *      Each keeps its best round (peak RSS: the smallest). The outputs of the two thread counts must be
 *      byte-identical (else the run fails).
 *    CLI start-up alone (`node bin/shoutu.mjs --help`: loads every module) is timed too, for reference.
 * 3. The best run's change.tif is compared with truth.tif (scripts/bench/score_change.py): a sanity check
 *    that the detector had real work and found it, not a timing.
 * 4. Unless --no-profile: one more run (SHOUTU_THREADS=1) with `node --cpu-prof`, RSS polled from
 *    /proc/<pid>/status every 25 ms. Samples are cut into the detector's phases by the first sample of a
 *    marker function on the stack (sample statistics and ISFA, threshold, detect pass, patch merge,
 *    change.tif assembly, writes);
 *    per phase: wall time, decode time (GeoTIFF window reads), GC, peak RSS; then the top functions by
 *    self time. This run is slower than the timed ones (profiler overhead) and is not one of them.
 *
 * Targets (issue: detection at decode speed): wall time <= 2x GDAL's 1-thread decode time of the pair on
 * one thread, <= 1.3x using both cores; peak RSS <= 600 MB. They are reported, not enforced: the exit
 * code is non-zero only when something fails to run. The machine is shared and noisy: compare ratios.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// @ts-expect-error plain JavaScript module of the launcher (no types)
import { bundleIsCurrent } from '../bin/bundle.mjs';
import { SourceMap } from 'node:module';
import { ensureInputs, findPython, fmt, hasTimeV, measure, runPython, runPythonAsync, runPythonTimed, table, type RunResult } from './bench/harness.js';
import { positiveIntOption as option } from './bench/options.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cli = join(root, 'bin', 'shoutu.mjs');

const BANDS = 4;
const BAND_LIST = 'blue,green,red,nir';

const SIZE = option('size', 8192);
const REPEATS = option('repeats', 2);
const SEED = option('seed', 20240601);
const PATCHES = option('patches', Math.max(20, Math.round((400 * SIZE * SIZE) / (8192 * 8192))));
const TOP = option('top', 15);
const PROFILE = !process.argv.includes('--no-profile');
const KEEP = process.argv.includes('--keep');
/** Thread counts to time `shoutu detect` with (SHOUTU_THREADS); the first is also the profiled one. */
const THREADS = [1, 2] as const;
if (SIZE < 64) throw new Error('--size must be at least 64');

// ---------------------------------------------------------------------------------------------------
// helpers

// ---------------------------------------------------------------------------------------------------
// CPU profile analysis

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Phases of detectPair in the order they run, each starting at the first sample of its marker. */
const PHASES: ReadonlyArray<{ name: string; marker: string }> = [
  { name: 'sample stats: native bands, band stats, ISFA sample (sampled blocks)', marker: 'computeSampleStats' },
  { name: 'ISFA fit', marker: 'isfa' },
  { name: 'sample stats: cue medians (sampled blocks again)', marker: 'computeCues' },
  { name: 'threshold: fused-score histogram of the sampled blocks', marker: 'sampledScoreHistogram' },
  { name: 'detect pass: decode once, score, classify, patches, change.tif strips', marker: 'detectTileRows' },
  { name: 'merge edge patches', marker: 'mergeTilePatches' },
  { name: 'assemble change.tif', marker: 'assembleUint8GeoTiff' },
];
const DECODE_MARKERS = new Set(['readWindow', 'readWindowNative']);
/** Decompression proper (the rest of a window read is the predictor, copies and block-cache hits). */
const INFLATE_MARKER = 'inflateInto';

function category(frame: ProfileNode['callFrame']): string {
  const { functionName: f, url } = frame;
  if (f === '(garbage collector)') return 'GC';
  if (f === '(idle)') return 'idle';
  if (f === '(program)' || f === '(root)') return 'V8/native';
  if (url.startsWith('node:zlib')) return 'zlib';
  if (url.includes('/shared/src/raster/')) return 'raster decode (JS)';
  if (url.includes('/shared/src/kernels/')) return 'kernels';
  if (url.includes('/shared/src/detection/irmad/') || url.includes('/shared/src/detection/isfa')) return 'ISFA (fit)';
  if (url.includes('/shared/src/detection/') || url.includes('/shared/src/pipeline/')) return 'detection';
  if (url.includes('/shared/src/')) return 'shared (other)';
  if (url.startsWith('node:internal/modules') || url.includes('/node_modules/')) return 'module loading';
  return 'other';
}

interface PhaseRow {
  name: string;
  startUs: number;
  endUs: number;
  decodeUs: number;
  inflateUs: number;
  gcUs: number;
  idleUs: number;
  peakRssMb: number | null;
}

interface ProfileReport {
  phases: PhaseRow[];
  top: Array<{ name: string; us: number }>;
  categories: Array<{ name: string; us: number }>;
  totalUs: number;
  decodeUs: number;
}

/**
 * Frames in the CLI bundle (dist/*.mjs, scripts/build.mjs) get the source file their function comes from,
 * read from the bundle's source map, so functions and categories name the TypeScript files.
 */
function toSourceFrames(profile: CpuProfile): void {
  const maps = new Map<string, SourceMap | null>();
  for (const node of profile.nodes) {
    const { url, lineNumber, columnNumber } = node.callFrame;
    if (!url.startsWith('file:') || !url.endsWith('.mjs') || !url.includes('/dist/')) continue;
    let map = maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), 'utf8')));
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    const entry = map?.findEntry(lineNumber, columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) node.callFrame.url = new URL(entry.originalSource, url).href;
  }
}

function analyseProfile(profile: CpuProfile, rss: Array<[number, number]>, runStartUs: number, runEndUs: number): ProfileReport {
  toSourceFrames(profile);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackCache = new Map<number, Set<string>>();
  const stackOf = (id: number): Set<string> => {
    let s = stackCache.get(id);
    if (s) return s;
    const p = parent.get(id);
    s = new Set(p === undefined ? [] : stackOf(p));
    s.add(byId.get(id)!.callFrame.functionName);
    stackCache.set(id, s);
    return s;
  };

  // sample i covers [t_i, t_{i+1})
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const n = profile.samples.length;
  const dur = (i: number): number => (i + 1 < n ? times[i + 1]! - times[i]! : Math.max(0, profile.endTime - times[i]!));

  // phase boundaries, in order; a marker that never appears (renamed function) drops its phase
  const bounds: Array<{ name: string; startUs: number }> = [{ name: 'start-up: node, modules, open files', startUs: runStartUs }];
  let from = 0;
  for (const phase of PHASES) {
    let found = -1;
    for (let i = from; i < n; i++) {
      if (stackOf(profile.samples[i]!).has(phase.marker)) {
        found = i;
        break;
      }
    }
    if (found >= 0) {
      bounds.push({ name: phase.name, startUs: times[found]! });
      from = found;
    }
  }
  // after the last sample of the encoder: writing the outputs and exiting
  let lastEncode = -1;
  for (let i = n - 1; i >= 0; i--) {
    if (stackOf(profile.samples[i]!).has('assembleUint8GeoTiff')) {
      lastEncode = i;
      break;
    }
  }
  if (lastEncode >= 0) bounds.push({ name: 'write outputs, exit', startUs: times[lastEncode]! + dur(lastEncode) });

  const phases: PhaseRow[] = bounds.map((b, k) => ({
    name: b.name,
    startUs: b.startUs,
    endUs: k + 1 < bounds.length ? bounds[k + 1]!.startUs : runEndUs,
    decodeUs: 0,
    inflateUs: 0,
    gcUs: 0,
    idleUs: 0,
    peakRssMb: null,
  }));
  const selfByFn = new Map<string, number>();
  const byCategory = new Map<string, number>();
  let decodeUs = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const ti = times[i]!;
    while (k + 1 < phases.length && ti >= phases[k + 1]!.startUs) k++;
    const node = byId.get(profile.samples[i]!)!;
    const d = dur(i);
    const stack = stackOf(node.id);
    const row = phases[k]!;
    const isDecode = [...DECODE_MARKERS].some((m) => stack.has(m));
    if (isDecode) {
      row.decodeUs += d;
      decodeUs += d;
      if (stack.has(INFLATE_MARKER)) row.inflateUs += d;
    }
    const f = node.callFrame.functionName;
    if (f === '(garbage collector)') row.gcUs += d;
    if (f === '(idle)') row.idleUs += d;
    const key = `${f || '(anonymous)'}  ${node.callFrame.url ? basename(node.callFrame.url) : ''}`.trimEnd();
    selfByFn.set(key, (selfByFn.get(key) ?? 0) + d);
    const c = category(node.callFrame);
    byCategory.set(c, (byCategory.get(c) ?? 0) + d);
  }
  for (const row of phases) {
    let peak = -1;
    for (const [ts, mb] of rss) if (ts >= row.startUs && ts < row.endUs) peak = Math.max(peak, mb);
    row.peakRssMb = peak >= 0 ? peak : null;
  }
  const sorted = (m: Map<string, number>) => [...m].map(([name, us]) => ({ name, us })).sort((a, b) => b.us - a.us);
  return { phases, top: sorted(selfByFn).slice(0, TOP), categories: sorted(byCategory), totalUs: runEndUs - runStartUs, decodeUs };
}

/** Picks the main thread's profile (the one that ran detectPair; tsx's loader thread writes its own). */
function loadMainProfile(dir: string): CpuProfile {
  let best: CpuProfile | null = null;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    if (p.nodes.some((node) => node.callFrame.functionName === 'computeSampleStats')) return p;
    if (best === null || p.samples.length > best.samples.length) best = p;
  }
  if (best === null) throw new Error(`no .cpuprofile written in ${dir}`);
  return best;
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const python = findPython();
  const timeV = hasTimeV();
  const inputs = ensureInputs(python, SIZE, SEED, PATCHES);
  const work = mkdtempSync(join(tmpdir(), 'shoutu-bench-detect-run-'));
  try {
    const pixels = SIZE * SIZE;
    const detectArgs = (out: string) => [cli, 'detect', '--before', inputs.before, '--after', inputs.after, '--bands', BAND_LIST, '--out', out];

    // CLI start-up alone, for reference
    let startup = Number.POSITIVE_INFINITY;
    let startupRss: number | null = null;
    for (let i = 0; i < 2; i++) {
      const r = await measure(process.execPath, [cli, '--help'], timeV);
      startup = Math.min(startup, r.seconds);
      startupRss = r.peakRssMb;
    }

    const gdal1: number[] = [];
    const gdal1Cpu: number[] = [];
    const gdal2: number[] = [];
    const detect: Record<number, RunResult[]> = {};
    for (const t of THREADS) detect[t] = [];
    for (let i = 0; i < REPEATS; i++) {
      process.stderr.write(`round ${i + 1}/${REPEATS}: GDAL decode, 1 thread ...\n`);
      const timed = timeV ? runPythonTimed(python, 'gdal_decode_blocks.py', ['1', '1', inputs.before, inputs.after]) : null;
      const g1 = JSON.parse((timed ? timed.stdout : runPython(python, 'gdal_decode_blocks.py', ['1', '1', inputs.before, inputs.after])).trim()) as { seconds: number; samples: number };
      if (timed?.cpuSeconds != null) gdal1Cpu.push(timed.cpuSeconds);
      if (g1.samples !== pixels * BANDS * 2) throw new Error(`GDAL decoded ${g1.samples} samples, expected ${pixels * BANDS * 2}`);
      gdal1.push(g1.seconds);
      process.stderr.write(`round ${i + 1}/${REPEATS}: GDAL decode, 2 processes ...\n`);
      const both = await Promise.all([inputs.before, inputs.after].map((f) => runPythonAsync(python, 'gdal_decode_blocks.py', ['1', '1', f])));
      gdal2.push(Math.max(...both.map((s) => (JSON.parse(s.trim()) as { seconds: number }).seconds)));
      for (const t of THREADS) {
        process.stderr.write(`round ${i + 1}/${REPEATS}: shoutu detect, SHOUTU_THREADS=${t} ...\n`);
        const out = join(work, `out-t${t}-${i}`);
        const r = await measure(process.execPath, detectArgs(out), timeV, 25, { SHOUTU_THREADS: String(t) });
        process.stderr.write(`  ${r.seconds.toFixed(2)} s: ${r.stdout.trim()}\n`);
        detect[t]!.push(r);
      }
    }
    // The outputs must not depend on the thread count.
    const differing = ['change.tif', 'patches.geojson', 'summary.json'].filter(
      (f) => !THREADS.every((t) => readFileSync(join(work, `out-t${t}-0`, f)).equals(readFileSync(join(work, `out-t${THREADS[0]}-0`, f)))),
    );
    if (differing.length > 0) throw new Error(`outputs differ between thread counts ${THREADS.join(', ')}: ${differing.join(', ')}`);
    const bestGdal1 = Math.min(...gdal1);
    const bestGdal2 = Math.min(...gdal2);
    const bestOf = (runs: RunResult[]) => runs.reduce((b, r) => (r.seconds < b.seconds ? r : b));
    const smallestRss = (runs: RunResult[]) => {
      const v = runs.map((r) => r.peakRssMb).filter((x): x is number => x !== null);
      return v.length > 0 ? Math.min(...v) : null;
    };

    const outDir = join(work, `out-t${THREADS[0]}-0`);
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      changedPixels: number;
      validPixels: number;
      patches: number;
      pairStats: { threshold: number; transform: { iterations: number; samples: number } };
    };
    const score = JSON.parse(runPython(python, 'score_change.py', [join(outDir, 'change.tif'), inputs.truth]).trim()) as {
      precision: number;
      recall: number;
      f1: number;
    };

    let profile: ProfileReport | null = null;
    let profileSeconds = 0;
    let profileHwm: number | null = null;
    if (PROFILE) {
      process.stderr.write('profiled run (node --cpu-prof, RSS polled, SHOUTU_THREADS=1) ...\n');
      const profDir = join(work, 'prof');
      const r = await measure(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...detectArgs(join(work, 'out-prof'))], false, 25, { SHOUTU_THREADS: '1' });
      profileSeconds = r.seconds;
      profileHwm = r.peakRssMb;
      profile = analyseProfile(loadMainProfile(profDir), r.rss, r.startUs, r.startUs + r.seconds * 1e6);
    }

    // ------------------------------------------------------------------ report
    const mb = (bytes: number) => fmt(bytes / 1e6, 0);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `shoutu detect benchmark — ${SIZE}x${SIZE} px, ${BANDS} bands uint16, DEFLATE+pred 2, 512x512 tiles, EPSG:32650 2 m ` +
        `(before ${mb(inputs.files['before.tif']!)} MB, after ${mb(inputs.files['after.tif']!)} MB on disk; ` +
        `${PATCHES} inserted patches = ${fmt((100 * inputs.changePixels) / pixels, 2)} % of pixels)`,
    );
    console.log(
      `${availableParallelism()} cores, node ${process.version}; best of ${REPEATS} rounds, GDAL and shoutu taking turns; ` +
        `inputs ${inputs.generated ? `generated in ${fmt(inputs.seconds, 1)} s` : 'from cache'} (${inputs.dir}); ` +
        `the CLI ran ${bundleIsCurrent(pathToFileURL(`${root}/`)) ? 'from the bundle (dist/)' : 'from the sources through tsx (no current bundle: npm run build)'}`,
    );
    console.log('');
    const rows: string[][] = [
      ['measurement', 'best s', 'rounds s', 'x GDAL 1 thread', 'Mpx/s (pair)', 'peak RSS MB'],
      ['GDAL decode only, 1 thread (both files, 512 windows)', fmt(bestGdal1, 2), gdal1.map((v) => v.toFixed(2)).join(' '), '1.00', fmt(pixels / bestGdal1 / 1e6, 1), ''],
      ['GDAL decode only, 2 processes (one file each)', fmt(bestGdal2, 2), gdal2.map((v) => v.toFixed(2)).join(' '), fmt(bestGdal2 / bestGdal1, 2), fmt(pixels / bestGdal2 / 1e6, 1), ''],
    ];
    for (const t of THREADS) {
      const b = bestOf(detect[t]!);
      const rss = smallestRss(detect[t]!);
      rows.push([
        `shoutu detect, SHOUTU_THREADS=${t} (CLI wall, incl. start-up)`,
        fmt(b.seconds, 2),
        detect[t]!.map((r) => r.seconds.toFixed(2)).join(' '),
        fmt(b.seconds / bestGdal1, 2),
        fmt(pixels / b.seconds / 1e6, 2),
        rss !== null ? fmt(rss) : '?',
      ]);
    }
    rows.push(['  CLI start-up alone (node bin/shoutu.mjs --help)', fmt(startup, 2), '', fmt(startup / bestGdal1, 2), '', startupRss !== null ? fmt(startupRss) : '?']);
    console.log(table(rows, [false, true, true, true, true, true]));
    console.log('');
    for (const t of THREADS) {
      const b = bestOf(detect[t]!);
      const ratio = b.seconds / bestGdal1;
      const target = t === 1 ? 2 : 1.3;
      const rss = smallestRss(detect[t]!);
      const cores = b.cpuSeconds !== null ? b.cpuSeconds / b.seconds : null;
      console.log(
        `SHOUTU_THREADS=${t}: wall / GDAL decode (1 thread) ${fmt(ratio, 2)}x — target <= ${target}x: ${met(ratio <= target)}; ` +
          `${cores !== null ? `${fmt(cores, 2)} cores busy on average, CPU ${fmt(b.cpuSeconds!, 1)} s user+sys; ` : ''}` +
          `peak RSS ${rss !== null ? `${fmt(rss)} MB — target <= 600 MB: ${met(rss <= 600)}` : 'n/a'}`,
      );
    }
    if (gdal1Cpu.length > 0) {
      // On a shared machine wall times swing with the load; CPU time much less. A thread count's CPU time
      // over GDAL's is what the wall ratio would be on an idle machine if every thread had a core.
      const gdalCpu = Math.min(...gdal1Cpu);
      const cpu = THREADS.map((t) => {
        const v = detect[t]!.map((r) => r.cpuSeconds).filter((x): x is number => x !== null);
        return `SHOUTU_THREADS=${t} ${v.length > 0 ? `${fmt(Math.min(...v), 1)} s = ${fmt(Math.min(...v) / gdalCpu, 2)}x` : '?'}`;
      });
      console.log(`CPU time (user+sys, best round): GDAL decode 1 thread ${fmt(gdalCpu, 1)} s; ${cpu.join('; ')} (load-robust cross-check of the wall ratios)`);
    }
    console.log(`outputs (change.tif, patches.geojson, summary.json) byte-identical across SHOUTU_THREADS=${THREADS.join(', ')}`);
    console.log(
      `result: ${fmt(summary.changedPixels)} of ${fmt(summary.validPixels)} px changed (${fmt((100 * summary.changedPixels) / summary.validPixels, 2)} %), ` +
        `${summary.patches} patches, threshold ${summary.pairStats.threshold.toFixed(3)}, ISFA ${summary.pairStats.transform.iterations} iterations on ${fmt(summary.pairStats.transform.samples)} samples; ` +
        `vs inserted truth: precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)}, F1 ${score.f1.toFixed(3)}`,
    );
    const best = bestOf(detect[THREADS[0]!]!);

    if (profile) {
      console.log('');
      console.log(
        `breakdown (one extra run under --cpu-prof: ${fmt(profileSeconds, 2)} s wall, ${fmt(profileSeconds / best.seconds, 2)}x the best timed run; ` +
          `peak RSS ${profileHwm !== null ? fmt(profileHwm) : '?'} MB; RSS polled every 25 ms):`,
      );
      const total = profile.totalUs;
      const prow: string[][] = [['phase', 'wall s', '% wall', 'read s', 'of it inflate s', 'GC s', 'idle s', 'peak RSS MB']];
      for (const p of profile.phases) {
        const w = p.endUs - p.startUs;
        prow.push([
          p.name,
          fmt(w / 1e6, 2),
          fmt((100 * w) / total, 1),
          fmt(p.decodeUs / 1e6, 2),
          fmt(p.inflateUs / 1e6, 2),
          fmt(p.gcUs / 1e6, 2),
          fmt(p.idleUs / 1e6, 2),
          p.peakRssMb !== null ? fmt(p.peakRssMb) : '-',
        ]);
      }
      console.log(table(prow, [false, true, true, true, true, true, true, true]));
      const readPhases = profile.phases.filter((p) => p.decodeUs > 0.02 * profile!.decodeUs).length;
      console.log(
        `read s: time inside GeoTIFF window reads (readWindow, inclusive: inflate, predictor, copies, block-cache hits); ` +
          `${fmt(profile.decodeUs / 1e6, 2)} s in total = ${fmt(profile.decodeUs / 1e6 / bestGdal1, 2)}x GDAL's decode of the pair. ` +
          `${readPhases} phases read a sizeable part of the pair.`,
      );
      console.log('');
      console.log('self time by category:');
      console.log(table([['category', 's', '%'], ...profile.categories.map((c) => [c.name, fmt(c.us / 1e6, 2), fmt((100 * c.us) / total, 1)])], [false, true, true]));
      console.log('');
      console.log(`top ${TOP} functions by self time:`);
      console.log(table([['function  file', 's', '%'], ...profile.top.map((c) => [c.name, fmt(c.us / 1e6, 2), fmt((100 * c.us) / total, 1)])], [false, true, true]));
    }
  } finally {
    if (KEEP) process.stderr.write(`run outputs kept in ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
