import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BandName, detectPair, InvalidInputError, MASK_LAYERS, type MaskLayerName } from '@shoutu/shared';
import { parametersFromFlags, parameterOptions } from '../parameters.js';

function stable(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** The evaluation contract: detect on a co-registered pair, write change.tif, patches.geojson, summary.json. */
export async function runDetect(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      out: { type: 'string' },
      bands: { type: 'string' },
      farmland: { type: 'string' },
      redline: { type: 'string' },
      ...parameterOptions,
    },
    strict: true,
  });
  for (const flag of ['before', 'after', 'out'] as const) {
    if (!values[flag]) throw new InvalidInputError('argument_invalid', `detect needs --${flag}`, { field: flag });
  }
  let bands: BandName[] | undefined;
  if (values.bands) {
    bands = values.bands.split(',').map((b, i) => {
      const parsed = BandName.safeParse(b.trim());
      if (!parsed.success) throw new InvalidInputError('argument_invalid', `--bands: "${b}" (position ${i + 1}) is not a STAC eo:common_name (${BandName.options.join(', ')})`, { field: 'bands' });
      return parsed.data;
    });
  }
  const masks: Partial<Record<MaskLayerName, { bytes: Uint8Array; name: string }>> = {};
  for (const layer of MASK_LAYERS) {
    const path = values[layer];
    if (path) masks[layer] = { bytes: new Uint8Array(await readFile(path)), name: path };
  }
  const result = await detectPair({
    before: { path: values.before! },
    after: { path: values.after! },
    ...(bands ? { bands } : {}),
    masks,
    parameters: parametersFromFlags(values),
  });
  const out = values.out!;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'change.tif'), result.changeTif);
  const features = result.patches.map((p, i) => ({
    type: 'Feature',
    id: i + 1,
    geometry: p.geometry,
    bbox: p.bbox,
    properties: {
      pixelCount: p.pixelCount,
      areaM2: p.areaM2,
      areaMu: p.areaMu,
      meanScore: p.meanScore,
      centroid: p.centroid,
      farmlandM2: p.overlap.farmland.areaM2,
      redlineM2: p.overlap.redline.areaM2,
    },
  }));
  await writeFile(join(out, 'patches.geojson'), stable({ type: 'FeatureCollection', features }));
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(result.summary, null, 2)}\n`);
  const s = result.summary;
  process.stdout.write(`${s.changedPixels} of ${s.validPixels} valid pixels changed (threshold ${s.pairStats.threshold.toFixed(4)}), ${s.patches} patches, ${s.areaMu.toFixed(2)} 亩 → ${out}\n`);
  return 0;
}
