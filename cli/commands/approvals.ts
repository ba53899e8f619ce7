import { readFile } from 'node:fs/promises';
import { createStore, InvalidInputError, setCurrentApprovals, storeConfigFromEnv } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

/** Sets the current approval layer (农转用 / 供地 / 设施农用地 / 临时用地); later batches pin this version. */
export async function runApprovals(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new InvalidInputError('argument_invalid', 'usage: shoutu approvals FILE.geojson', { field: 'FILE' });
  const path = args[0]!;
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new InvalidInputError('file_missing', `${path}: cannot read the approval layer (${(error as Error).message})`, { file: path, field: 'FILE' });
  }
  const ref = await setCurrentApprovals(store, bytes, path);
  process.stdout.write(`approvals: ${path} → ${store.describe(ref.key)} (${ref.approvals} approval(s), sha256 ${ref.sha256})\n`);
  return 0;
}
