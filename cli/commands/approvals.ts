import { parseArgs } from 'node:util';
import { clearRegionalApprovals, createStore, InvalidInputError, readLayerFile, RegionCode, setCurrentApprovals, setRegionalApprovals, storeConfigFromEnv } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

const USAGE = 'usage: shoutu approvals FILE.geojson|FILE.shp [--region CODE] | shoutu approvals --region CODE --clear';

/**
 * Sets an approval layer (农转用 / 供地 / 设施农用地 / 临时用地): the deployment-wide one, or with --region
 * the layer of one province, city or county (the same layer operators keep over the API); --clear
 * withdraws a region's layer. Later batches pin the layers that apply to their county.
 */
export async function runApprovals(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { region: { type: 'string' }, clear: { type: 'boolean' } } });
  } catch (error) {
    throw new InvalidInputError('argument_invalid', `${(error as Error).message}\n${USAGE}`, { field: 'arguments' });
  }
  const { values, positionals } = parsed;
  const region = values.region;
  if (region !== undefined && !RegionCode.safeParse(region).success) {
    throw new InvalidInputError('argument_invalid', `--region: "${region}" is not a 6-digit administrative division code (行政区划代码)`, { field: 'region' });
  }
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  if (values.clear) {
    if (region === undefined || positionals.length !== 0) throw new InvalidInputError('argument_invalid', USAGE, { field: 'clear' });
    const cleared = await clearRegionalApprovals(store, region);
    process.stdout.write(cleared ? `approvals: the layer of ${region} is withdrawn\n` : `approvals: ${region} has no layer\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', USAGE, { field: 'FILE' });
  const path = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = (await readLayerFile(path)).bytes;
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('file_missing', `${path}: cannot read the approval layer (${(error as Error).message})`, { file: path, field: 'FILE' });
  }
  const ref = region === undefined ? await setCurrentApprovals(store, bytes, path) : await setRegionalApprovals(store, region, bytes, path, path);
  process.stdout.write(`approvals${region ? ` of ${region}` : ''}: ${path} → ${store.describe(ref.key)} (${ref.approvals} approval(s), sha256 ${ref.sha256})\n`);
  return 0;
}
