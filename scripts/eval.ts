/**
 * Accuracy of shoutu's change detection on labelled pairs.
 *
 * Usage: npm run eval -- [DIR...] [--json FILE]
 *
 * Each DIR holds before.tif, after.tif, truth.tif (uint8: 1 change, 0 no change, 255 not labelled) and
 * optionally bands.txt (band order as STAC eo:common_name values, comma- or newline-separated) and, for an
 * after file of another sensor, after-bands.txt (its own order: detectPair's afterBands). A DIR
 * without those files but with pair folders one or two levels below stands for all of them. With no DIR,
 * every pair folder under ../shared/data (relative to the repository root) is used, when it exists.
 *
 * Each pair runs through detectPair with default parameters: the same code and output as `shoutu detect`
 * (the evaluation contract), never a special path. Its change.tif bytes are decoded and scored against
 * truth.tif on the pixels where truth != 255; change.tif nodata (255) counts as predicted "no change".
 * Prints per pair, per dataset group (the parent folder's name) and overall: OA, Cohen's kappa,
 * precision, recall, F1, TP/FP/FN/TN and the runtime of detectPair. `--json FILE` writes the numbers.
 *
 * Exit codes: 0 when it ran and scored at least one pair (failed pairs are reported, not fatal; targets are
 * not checked); 1 when no pair could be scored or the JSON file cannot be written; 2 bad arguments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BandName } from '../shared/src/schemas/manifest.js';
import { defaultParameters, DETECTOR_VERSION } from '../shared/src/detection/parameters.js';
import { SHOUTU_VERSION } from '../shared/src/version.js';
import { describeBandSource, expandDir, findPairDirs, pairDir, type PairDir } from './eval/datasets.js';
import { evaluatePair, type PairResult } from './eval/evaluate-pair.js';
import { formatGroupTable, formatPairTable, jsonReport, summariseGroups, summariseOverall } from './eval/report.js';
import { HIT_SHARE, OBJECT_MIN_PX } from './eval/patch-scoring.js';

/**
 * Band order per dataset group (the parent folder's name), used only when a pair has no bands.txt.
 * From ../shared/README.md ("Band order of each dataset").
 */
export const DEFAULT_BANDS: Readonly<Record<string, readonly BandName[]>> = {
  taizhou: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'],
  oscd: ['coastal', 'blue', 'green', 'red', 'rededge', 'rededge', 'rededge', 'nir', 'nir08', 'nir09', 'cirrus', 'swir16', 'swir22'],
  levir: ['red', 'green', 'blue'],
};

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_DATA = resolve(REPO_ROOT, '../shared/data');

const USAGE = `usage: npm run eval -- [DIR...] [--json FILE]
  DIR    folder with before.tif, after.tif, truth.tif [, bands.txt] [, after-bands.txt], or a folder of such folders
         (default: every pair folder under ../shared/data)
  --json FILE   also write the numbers as JSON`;

function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return null;
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { json: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`eval: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // npm runs scripts in the repository root; resolve DIRs and --json against where the user typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const jsonPath = parsed.values.json === undefined ? null : resolve(cwd, parsed.values.json);
  if (parsed.values.json === '') {
    process.stderr.write(`eval: --json needs a file name\n${USAGE}\n`);
    return 2;
  }

  let dirs: string[];
  if (parsed.positionals.length > 0) {
    dirs = [];
    for (const d of parsed.positionals) dirs.push(...(await expandDir(resolve(cwd, d))));
  } else {
    if (!existsSync(DEFAULT_DATA)) {
      process.stderr.write(`eval: no DIR given and ${DEFAULT_DATA} does not exist\n${USAGE}\n`);
      return 2;
    }
    dirs = await findPairDirs(DEFAULT_DATA, 2);
    if (dirs.length === 0) {
      process.stderr.write(`eval: no pair folders (with ${'before.tif, after.tif, truth.tif'}) under ${DEFAULT_DATA}\n`);
      return 2;
    }
  }
  const knownGroups = new Set(Object.keys(DEFAULT_BANDS));
  const pairs: PairDir[] = dirs.map((d) => pairDir(d, knownGroups));

  const parameters = defaultParameters();
  const startedAt = new Date();
  const commit = gitCommit();
  const command = `npm run eval${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`shoutu eval — detector ${DETECTOR_VERSION}, shoutu ${SHOUTU_VERSION}${commit ? `, commit ${commit}` : ''}, ${startedAt.toISOString()}`);
  out(`parameters (defaults, as \`shoutu detect\`): ${JSON.stringify(parameters)}`);
  out('scored: change.tif (the per-pixel decision, before the opening and minimum area) vs truth.tif on pixels where truth != 255;');
  out('        change.tif nodata (255) on labelled pixels counts as predicted "no change" (column "nodata").');
  out(`also scored: the reported patches (图斑 candidates, after the opening, minimum area and typing) rasterised from their`);
  out(`        outlines ("patch F1"); "hits/judged": patches of which at least ${HIT_SHARE * 100} % of the labelled pixels are truth change,`);
  out(`        of those with labelled pixels; "found/objects": truth objects (8-connected, at least ${OBJECT_MIN_PX} pixels) of which`);
  out(`        at least ${HIT_SHARE * 100} % lies in reported patches.`);
  out('');

  const results: PairResult[] = [];
  for (const [i, p] of pairs.entries()) {
    const shown = relative(cwd, p.dir) || '.';
    const r = await evaluatePair(p, DEFAULT_BANDS, parameters);
    results.push(r);
    const bands = r.bands ? ` [${r.bands.map((b) => b ?? '?').join(',')}]` : '';
    const source = r.bandSource ? `bands: ${describeBandSource(r.bandSource)}${bands}` : 'bands: —';
    const status =
      r.status === 'ok'
        ? `ok, F1 ${r.metrics.f1.toFixed(3)}, detect ${r.detectMs.toFixed(0)} ms`
        : `FAILED (${r.stage}): ${r.error}`;
    out(`[${i + 1}/${pairs.length}] ${p.label} (${shown})  ${source}  → ${status}`);
    if (r.status === 'ok') for (const n of r.notes) out(`        note: ${n}`);
  }

  const groups = summariseGroups(results);
  const overall = summariseOverall(results, groups);
  out('');
  out('per pair (bands: where the band order came from; nodata: labelled pixels change.tif has as 255; thresh: Otsu threshold in z units; ms: detectPair wall time)');
  out(formatPairTable(results));
  out('');
  out('per group: mean = mean of the per-pair metrics; pooled = metrics of the summed counts; ms = summed detectPair time');
  out(formatGroupTable(groups, overall));
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    out('');
    out(`failed pairs (${failed.length}):`);
    for (const r of failed) if (r.status === 'failed') out(`  ${r.label}: [${r.stage}] ${r.error}`);
  }

  if (jsonPath) {
    const report = jsonReport(
      {
        tool: 'shoutu eval',
        date: startedAt.toISOString(),
        command,
        detector: DETECTOR_VERSION,
        shoutuVersion: SHOUTU_VERSION,
        commit,
        parameters,
        scoring: `change.tif vs truth.tif on pixels where truth != 255; change.tif nodata (255) counts as predicted no change; precision/recall/F1 are 0 when undefined (0/0); kappa is 1 when the expected agreement is 1. patchScore: the reported patches rasterised from their outlines, scored the same way; a hit is a patch of which at least ${HIT_SHARE} of the labelled pixels are truth change`,
        defaultBands: DEFAULT_BANDS,
      },
      results,
      groups,
      overall,
    );
    try {
      await mkdir(dirname(jsonPath), { recursive: true });
      await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
      out('');
      out(`json: ${jsonPath}`);
    } catch (error) {
      process.stderr.write(`eval: cannot write --json ${jsonPath}: ${(error as Error).message}\n`);
      return 1;
    }
  }
  return overall.scored > 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`eval: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
