import { parseArgs } from 'node:util';
import { clearRegionalMask, createStore, currentMasks, listRegionalMasks, InvalidInputError, MASK_LAYERS, readLayerFile, RegionCode, setCurrentMask, setRegionalMask, storeConfigFromEnv, type MaskLayerName } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

const USAGE = 'usage: shoutu masks [--farmland F] [--redline R] [--region CODE] | shoutu masks --region CODE --clear farmland|redline | shoutu masks --list';

/**
 * Sets the current farmland and/or red-line layer: the deployment-wide one, or with --region the layer of
 * one province, city or county (a county's permanent farmland, a province's red line); later batches pin
 * the layers that apply to their county, which add up. `--region CODE --clear LAYER` withdraws a region's layer;
 * `--list` shows the layers set, deployment-wide and by region.
 */
export async function runMasks(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { farmland: { type: 'string' }, redline: { type: 'string' }, region: { type: 'string' }, clear: { type: 'string' }, list: { type: 'boolean' } }, strict: true }));
  } catch (error) {
    throw new InvalidInputError('argument_invalid', `${(error as Error).message}\n${USAGE}`, { field: 'arguments' });
  }
  const region = values.region;
  if (region !== undefined && !RegionCode.safeParse(region).success) {
    throw new InvalidInputError('argument_invalid', `--region: "${region}" is not a 6-digit administrative division code (行政区划代码)`, { field: 'region' });
  }
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  if (values.list) {
    if (values.farmland !== undefined || values.redline !== undefined || values.clear !== undefined || region !== undefined) throw new InvalidInputError('argument_invalid', USAGE, { field: 'list' });
    const deployment = await currentMasks(store);
    const regional = await listRegionalMasks(store);
    if (deployment.length + regional.length === 0) process.stdout.write('no mask layer is set\n');
    for (const m of deployment) process.stdout.write(`${m.layer}  deployment-wide  ${m.sha256}  ${store.describe(m.key)}\n`);
    for (const m of regional) process.stdout.write(`${m.layer}  ${m.region}  ${m.sha256}  ${m.features} feature(s), from ${m.source}\n`);
    return 0;
  }
  if (values.clear !== undefined) {
    const layer = values.clear as MaskLayerName;
    if (region === undefined || !MASK_LAYERS.includes(layer) || values.farmland !== undefined || values.redline !== undefined) throw new InvalidInputError('argument_invalid', USAGE, { field: 'clear' });
    const cleared = await clearRegionalMask(store, layer, region);
    process.stdout.write(cleared ? `${layer}: the layer of ${region} is withdrawn\n` : `${layer}: ${region} has no layer\n`);
    return 0;
  }
  if (!values.farmland && !values.redline) throw new InvalidInputError('argument_invalid', `masks needs --farmland FILE and/or --redline FILE\n${USAGE}`, { field: 'farmland' });
  for (const layer of MASK_LAYERS) {
    const path = values[layer];
    if (!path) continue;
    const file = await readLayerFile(path);
    const ref = region === undefined ? await setCurrentMask(store, layer, file.bytes, path) : await setRegionalMask(store, layer, region, file.bytes, path, path);
    const entry = file.archiveEntry ? ` ${file.archiveEntry}` : '';
    const converted = file.shapefileEpsg !== undefined ? ` (shapefile${entry} as GeoJSON, EPSG:${file.shapefileEpsg} from its .prj)` : entry ? ` (${entry.trim()})` : '';
    process.stdout.write(`${layer}${region ? ` of ${region}` : ''}: ${path}${converted} → ${store.describe(ref.key)} (sha256 ${ref.sha256})\n`);
  }
  return 0;
}
