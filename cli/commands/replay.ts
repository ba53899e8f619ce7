import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createStore, InvalidInputError, replayRun, storeConfigFromEnv } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

/** Replays a run record; exit 0 only when every output is byte-identical, else 1 with the differences. */
export async function runReplay(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', 'replay takes one run record (a file path or a storage key runs/<batch>.json)', { field: 'RECORD' });
  const target = positionals[0]!;
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  const bytes = existsSync(target) ? new Uint8Array(await readFile(target)) : await store.get(target);
  const report = await replayRun(store, bytes, target);
  for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
  if (report.differences.length === 0) {
    process.stdout.write(`replay ${report.batchId}: all ${report.outputsChecked} outputs byte-identical\n`);
    return 0;
  }
  process.stdout.write(`replay ${report.batchId}: ${report.differences.length} difference(s)\n`);
  for (const d of report.differences) {
    process.stdout.write(`  ${d.kind.padEnd(10)} ${store.describe(d.key)}  expected ${d.expected ?? '-'}  actual ${d.actual ?? '-'}\n`);
  }
  return 1;
}
