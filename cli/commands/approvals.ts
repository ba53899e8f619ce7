import { parseArgs } from 'node:util';
import { applyApprovalMapping, clearRegionalApprovals, createStore, InvalidInputError, parseApprovalMapping, readLayerFile, RegionCode, setCurrentApprovals, setRegionalApprovals, storeConfigFromEnv } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

const USAGE = 'usage: shoutu approvals FILE.geojson|FILE.shp|FILE.zip [--region CODE] [--fields number=PROP,kind=PROP,validFrom=PROP,validTo=PROP] [--kind KIND] | shoutu approvals --region CODE --clear';

/**
 * Sets an approval layer (农转用 / 供地 / 设施农用地 / 临时用地): the deployment-wide one, or with --region
 * the layer of one province, city or county (the same layer operators keep over the API); --clear
 * withdraws a region's layer. Later batches pin the layers that apply to their county. A layer whose fields
 * have the county's own names is mapped with --fields (and --kind when it holds one kind of approval).
 */
export async function runApprovals(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { region: { type: 'string' }, clear: { type: 'boolean' }, fields: { type: 'string' }, kind: { type: 'string' } } });
  } catch (error) {
    throw new InvalidInputError('argument_invalid', `${(error as Error).message}\n${USAGE}`, { field: 'arguments' });
  }
  const { values, positionals } = parsed;
  const region = values.region;
  if (region !== undefined && !RegionCode.safeParse(region).success) {
    throw new InvalidInputError('argument_invalid', `--region: "${region}" is not a 6-digit administrative division code (行政区划代码)`, { field: 'region' });
  }
  const mapping = parseApprovalMapping(values.fields, values.kind, { fields: '--fields', kind: '--kind' });
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  if (values.clear) {
    if (region === undefined || positionals.length !== 0 || values.fields !== undefined || values.kind !== undefined) throw new InvalidInputError('argument_invalid', USAGE, { field: 'clear' });
    const cleared = await clearRegionalApprovals(store, region);
    process.stdout.write(cleared ? `approvals: the layer of ${region} is withdrawn\n` : `approvals: ${region} has no layer\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new InvalidInputError('argument_invalid', USAGE, { field: 'FILE' });
  const path = positionals[0]!;
  let file;
  try {
    file = await readLayerFile(path);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('file_missing', `${path}: cannot read the approval layer (${(error as Error).message})`, { file: path, field: 'FILE' });
  }
  const bytes = applyApprovalMapping(file.bytes, mapping, file.archiveEntry ?? path);
  const ref = region === undefined ? await setCurrentApprovals(store, bytes, path) : await setRegionalApprovals(store, region, bytes, path, path);
  const from = file.archiveEntry ? ` (${file.archiveEntry})` : '';
  process.stdout.write(`approvals${region ? ` of ${region}` : ''}: ${path}${from} → ${store.describe(ref.key)} (${ref.approvals} approval(s), sha256 ${ref.sha256})\n`);
  return 0;
}
