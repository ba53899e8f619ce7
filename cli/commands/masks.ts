import { parseArgs } from 'node:util';
import { createStore, InvalidInputError, MASK_LAYERS, readLayerFile, setCurrentMask, storeConfigFromEnv } from '@shoutu/shared';
import { parseCliEnv } from '../env.js';

/** Sets the current farmland and/or red-line layer; later batches pin these versions. */
export async function runMasks(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { farmland: { type: 'string' }, redline: { type: 'string' } }, strict: true });
  if (!values.farmland && !values.redline) throw new InvalidInputError('argument_invalid', 'masks needs --farmland FILE and/or --redline FILE', { field: 'farmland' });
  const store = createStore(storeConfigFromEnv(parseCliEnv()));
  for (const layer of MASK_LAYERS) {
    const path = values[layer];
    if (!path) continue;
    const file = await readLayerFile(path);
    const ref = await setCurrentMask(store, layer, file.bytes, path);
    const entry = file.archiveEntry ? ` ${file.archiveEntry}` : '';
    const converted = file.shapefileEpsg !== undefined ? ` (shapefile${entry} as GeoJSON, EPSG:${file.shapefileEpsg} from its .prj)` : entry ? ` (${entry.trim()})` : '';
    process.stdout.write(`${layer}: ${path}${converted} → ${store.describe(ref.key)} (sha256 ${ref.sha256})\n`);
  }
  return 0;
}
