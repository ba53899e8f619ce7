/**
 * Finding evaluation pairs on disk and the band order of each.
 *
 * A pair is a folder holding before.tif, after.tif and truth.tif (and optionally bands.txt, and
 * after-bands.txt for an after file of another sensor). Folders are only listed, never read beyond those
 * names: other files beside them (an encrypted hold-out
 * archive, PROVENANCE.md, third-party maps) are never opened.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BandName } from '../../shared/src/schemas/manifest.js';

export const PAIR_FILES = ['before.tif', 'after.tif', 'truth.tif'] as const;
export const BANDS_FILE = 'bands.txt';
/** The after file's band order when it is another sensor's (detectPair's afterBands, `--after-bands`). */
export const AFTER_BANDS_FILE = 'after-bands.txt';

export interface PairDir {
  /** absolute path of the folder */
  dir: string;
  /** dataset group: the parent folder's name, or the folder's own name when that is a known group */
  group: string;
  /** short label, `group/name` (or just `group` for a pair that is a whole group, like taizhou) */
  label: string;
}

/** Where the band order of a pair came from. */
export type BandSource =
  | { kind: 'bands.txt'; path: string }
  | { kind: 'table'; group: string }
  | { kind: 'inferred' };

export function describeBandSource(s: BandSource): string {
  switch (s.kind) {
    case 'bands.txt':
      return 'bands.txt';
    case 'table':
      return `default table for "${s.group}"`;
    case 'inferred':
      return 'none given: detectPair infers (as `shoutu detect` without --bands)';
  }
}

export function shortBandSource(s: BandSource): string {
  return s.kind === 'table' ? 'table' : s.kind === 'bands.txt' ? 'bands.txt' : 'inferred';
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The pair files present in a folder. */
export async function pairFilesIn(dir: string): Promise<string[]> {
  const present: string[] = [];
  for (const f of PAIR_FILES) if (await isFile(join(dir, f))) present.push(f);
  return present;
}

/**
 * Sub-folders (recursively, up to `depth` levels below `root`, sorted by name) that hold any of the pair
 * files. A folder that holds one is taken as a pair (when some are missing it is reported as a failed pair,
 * not skipped silently) and is not searched further.
 */
export async function findPairDirs(root: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  if (depth < 1) return out;
  const entries = await readdir(root, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of dirs) {
    const dir = join(root, name);
    if ((await pairFilesIn(dir)).length > 0) out.push(dir);
    else out.push(...(await findPairDirs(dir, depth - 1)));
  }
  return out;
}

/** Group and label of a pair folder; `knownGroups` are the keys of the default band table. */
export function pairDir(dir: string, knownGroups: ReadonlySet<string>): PairDir {
  const abs = resolve(dir);
  const name = basename(abs);
  if (knownGroups.has(name)) return { dir: abs, group: name, label: name };
  const group = basename(dirname(abs)) || name;
  return { dir: abs, group, label: `${group}/${name}` };
}

/**
 * Expands a command-line DIR: a folder with any pair file is one pair (missing files are reported when it
 * is evaluated); a folder with none but with pair sub-folders (one or two levels down) stands for them;
 * anything else is returned as one pair, to be reported as failed with what is missing.
 */
export async function expandDir(dir: string): Promise<string[]> {
  const abs = resolve(dir);
  if (!(await isDirectory(abs))) return [abs];
  if ((await pairFilesIn(abs)).length > 0) return [abs];
  const found = await findPairDirs(abs, 2);
  return found.length > 0 ? found : [abs];
}

/** Why a folder cannot be evaluated as a pair, or null when all three files are there. */
export async function missingFilesMessage(p: PairDir): Promise<string | null> {
  if (!(await isDirectory(p.dir))) return `${p.dir}: no such directory`;
  const present = await pairFilesIn(p.dir);
  const missing = PAIR_FILES.filter((f) => !present.includes(f));
  if (missing.length === 0) return null;
  return `${p.dir}: missing ${missing.join(', ')} (a pair folder needs ${PAIR_FILES.join(', ')})`;
}

/** Parses bands.txt: STAC eo:common_name values separated by commas and/or newlines. */
export function parseBandsText(text: string, file: string): BandName[] {
  const names = text
    .split(/[,\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`${file}: lists no bands`);
  return names.map((raw, i) => {
    const parsed = BandName.safeParse(raw.toLowerCase());
    if (!parsed.success) throw new Error(`${file}: "${raw}" (position ${i + 1}) is not a STAC eo:common_name (${BandName.options.join(', ')})`);
    return parsed.data;
  });
}

/**
 * Band order of a pair: bands.txt when the folder has one, else the group's entry of `table`, else none
 * (detectPair then infers the order exactly as `shoutu detect` does without --bands).
 */
export async function bandsFor(
  p: PairDir,
  table: Readonly<Record<string, readonly BandName[]>>,
): Promise<{ bands: BandName[] | undefined; source: BandSource }> {
  const path = join(p.dir, BANDS_FILE);
  const fromFile = await readBandsFile(path);
  if (fromFile) return { bands: fromFile, source: { kind: 'bands.txt', path } };
  const fromTable = Object.hasOwn(table, p.group) ? table[p.group] : undefined;
  if (fromTable) return { bands: [...fromTable], source: { kind: 'table', group: p.group } };
  return { bands: undefined, source: { kind: 'inferred' } };
}

/** The after file's band order from after-bands.txt, when the pair folder has one. */
export const afterBandsFor = (p: PairDir): Promise<BandName[] | undefined> => readBandsFile(join(p.dir, AFTER_BANDS_FILE));

async function readBandsFile(path: string): Promise<BandName[] | undefined> {
  if (!(await isFile(path))) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read: ${(error as Error).message}`);
  }
  return parseBandsText(text, path);
}
