import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// Narrow imports (not the package index): `shoutu detect` needs no queue or storage library.
import { InvalidInputError } from '@shoutu/shared/errors.js';
import { BandName } from '@shoutu/shared/schemas/manifest.js';
import { MASK_LAYERS, type MaskLayerName } from '@shoutu/shared/detection/parameters.js';
import { detectPair } from '@shoutu/shared/pipeline/detect-pair.js';
import { readLayerFile } from '@shoutu/shared/masks/read-layer-file.js';
import { parseMaskLayer, type MaskLayer } from '@shoutu/shared/masks/parse-mask-layer.js';
import type { WorkerPool } from '@shoutu/shared/pipeline/worker-pool.js';
import { parametersFromFlags, parameterOptions } from '../parameters.js';
import { uncoveredMarks } from '../uncovered.js';
import { examinedShare, unusableEpochs } from '../summary.js';

function stable(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** The options `shoutu detect` takes (its usage in main.ts lists each). */
export const DETECT_OPTIONS = {
  before: { type: 'string' },
  after: { type: 'string' },
  out: { type: 'string' },
  bands: { type: 'string' },
  'after-bands': { type: 'string' },
  farmland: { type: 'string', multiple: true },
  redline: { type: 'string', multiple: true },
  'before-cloud-mask': { type: 'string' },
  'after-cloud-mask': { type: 'string' },
  'cloud-mask-values': { type: 'string' },
  saturation: { type: 'string' },
  nodata: { type: 'string' },
  'before-nodata': { type: 'string' },
  'after-nodata': { type: 'string' },
  'reflectance-scale': { type: 'string' },
  'reflectance-offset': { type: 'string' },
  'no-coregister': { type: 'boolean' },
  ...parameterOptions,
} as const;

/**
 * The evaluation contract: detect on a pair (the after file resampled onto the before file's grid when it is
 * on another), write change.tif, patches.geojson, summary.json.
 * `workers`: threads − 1 worker threads started ahead (detect.ts), handed to detectPair.
 */
export async function detectCommand(args: string[], threads: number, workers: WorkerPool | undefined): Promise<number> {
  const { values } = parseArgs({
    args,
    options: DETECT_OPTIONS,
    strict: true,
  });
  for (const flag of ['before', 'after', 'out'] as const) {
    if (!values[flag]) throw new InvalidInputError('argument_invalid', `detect needs --${flag}`, { field: flag });
  }
  const bandList = (flag: 'bands' | 'after-bands', text: string): BandName[] =>
    text.split(',').map((b, i) => {
      const parsed = BandName.safeParse(b.trim());
      if (!parsed.success) throw new InvalidInputError('argument_invalid', `--${flag}: "${b}" (position ${i + 1}) is not a STAC eo:common_name (${BandName.options.join(', ')})`, { field: flag });
      return parsed.data;
    });
  const bands = values.bands ? bandList('bands', values.bands) : undefined;
  const afterBands = values['after-bands'] ? bandList('after-bands', values['after-bands']) : undefined;
  // parsed here, so the files' bytes (a county's farmland layer is 100 MB and more) are not held through the run
  // several files of a kind add up (the layers of the counties a pair spans)
  const masks: Partial<Record<MaskLayerName, MaskLayer[]>> = {};
  for (const layer of MASK_LAYERS) {
    const paths = values[layer] ?? [];
    if (paths.length > 0) masks[layer] = [];
    for (const path of paths) masks[layer]!.push(parseMaskLayer((await readLayerFile(path)).bytes, path));
  }
  const number = (flag: 'saturation' | 'nodata' | 'before-nodata' | 'after-nodata' | 'reflectance-scale' | 'reflectance-offset', text: string) => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || (flag === 'reflectance-scale' && v <= 0)) {
      throw new InvalidInputError('argument_invalid', `--${flag}: "${text}" is not a ${flag === 'reflectance-scale' ? 'positive ' : ''}number`, { field: flag });
    }
    return v;
  };
  const cloudMaskValues = values['cloud-mask-values']?.split(',').map((v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidInputError('argument_invalid', `--cloud-mask-values: "${v}" is not a number`, { field: 'cloud-mask-values' });
    return n;
  });
  if (values.nodata !== undefined && (values['before-nodata'] !== undefined || values['after-nodata'] !== undefined)) {
    throw new InvalidInputError('argument_invalid', '--nodata declares both files\' nodata value: give it, or --before-nodata / --after-nodata, not both', { field: 'nodata' });
  }
  // one file's nodata: its own flag, else --nodata for both
  const nodataOf = (flag: 'before-nodata' | 'after-nodata') =>
    values[flag] !== undefined ? number(flag, values[flag]) : values.nodata !== undefined ? number('nodata', values.nodata) : undefined;
  const nodata = { before: nodataOf('before-nodata'), after: nodataOf('after-nodata') };
  if (values['reflectance-offset'] !== undefined && values['reflectance-scale'] === undefined) {
    throw new InvalidInputError('argument_invalid', '--reflectance-offset needs --reflectance-scale', { field: 'reflectance-offset' });
  }
  const validity = {
    cloudMask: {
      ...(values['before-cloud-mask'] ? { before: { path: values['before-cloud-mask'] } } : {}),
      ...(values['after-cloud-mask'] ? { after: { path: values['after-cloud-mask'] } } : {}),
      ...(cloudMaskValues ? { values: cloudMaskValues } : {}),
    },
    ...(values.saturation !== undefined ? { saturation: number('saturation', values.saturation) } : {}),
    ...(nodata.before !== undefined || nodata.after !== undefined
      ? { nodata: { ...(nodata.before !== undefined ? { before: nodata.before } : {}), ...(nodata.after !== undefined ? { after: nodata.after } : {}) } }
      : {}),
    ...(values['reflectance-scale'] !== undefined
      ? { reflectance: { scale: number('reflectance-scale', values['reflectance-scale']), offset: values['reflectance-offset'] !== undefined ? number('reflectance-offset', values['reflectance-offset']) : 0 } }
      : {}),
  };
  const result = await detectPair({
    before: { path: values.before! },
    after: { path: values.after! },
    ...(bands ? { bands } : {}),
    ...(afterBands ? { afterBands } : {}),
    warn: (message) => process.stderr.write(`shoutu: warning: ${message}\n`),
    masks,
    validity,
    parameters: parametersFromFlags(values),
    ...(values['no-coregister'] ? { coregister: false } : {}),
    threads,
    ...(workers ? { workers } : {}),
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
      changeType: p.changeType,
      cloudFreeFraction: p.cloudFreeFraction,
      indices: p.indices,
      centroid: p.centroid,
      farmlandM2: p.overlap.farmland.areaM2,
      redlineM2: p.overlap.redline.areaM2,
    },
  }));
  await writeFile(join(out, 'patches.geojson'), stable({ type: 'FeatureCollection', features }));
  await writeFile(join(out, 'summary.json'), `${JSON.stringify(result.summary, null, 2)}\n`);
  const s = result.summary;
  const r = s.resampled?.after;
  if (r) process.stdout.write(`${values.after}: on another grid, resampled onto the grid of ${values.before} (${r.bands}, ${r.scale.join(' × ')} source pixels per pixel); it covers ${r.coveredPixels} of the ${s.width * s.height} pixels of that grid\n`);
  if (s.fileBands) {
    process.stdout.write(`${values.before} (${s.fileBands.before.join(',')}) and ${values.after} (${s.fileBands.after.join(',')}): two band layouts, compared on the bands both hold: ${s.bands.join(',')}\n`);
  }
  for (const [file, crs] of [[values.before, s.userDefinedCrs?.before], [values.after, s.userDefinedCrs?.after]] as const) {
    if (crs) process.stdout.write(`${file}: CRS in user-defined GeoKeys, read as EPSG:${crs.epsg}, the same grid (${crs.parameters})\n`);
  }
  for (const [file, by] of [[values.before, s.uncovered?.before], [values.after, s.uncovered?.after]] as const) {
    if (by && (by.alphaBand !== undefined || by.internalMask)) process.stdout.write(`${file}: ground its ${uncoveredMarks(by)} marks as not covered is left out (255 in change.tif)\n`);
  }
  const corrected = s.registration.corrected;
  if (corrected) {
    const left = s.registration.shift ? `${s.registration.shift[0]}, ${s.registration.shift[1]} pixel left` : 'the offset left not resolved';
    process.stdout.write(
      `${values.after}: co-registered to ${values.before}, read ${corrected.shift[0]} column(s) and ${corrected.shift[1]} row(s) over (offset measured ${corrected.beyond ? 'at least ' : ''}${corrected.measured[0]}, ${corrected.measured[1]}; ${left})\n`,
    );
  }
  const shift = s.shifted?.after;
  if (shift) process.stdout.write(`${values.after}: on the pixel lattice of ${values.before}, offset by ${shift.offset[0]} columns and ${shift.offset[1]} rows; it covers ${shift.coveredPixels} of the ${s.width * s.height} pixels of that grid\n`);
  const share = examinedShare;
  const layers = [
    ...(s.coverage.farmland ? [`farmland ${share(s.coverage.farmland)}`] : []),
    ...(s.coverage.redline ? [`red line ${share(s.coverage.redline)}`] : []),
  ];
  process.stdout.write(
    `examined ${share(s.coverage)}${layers.length > 0 ? `; ${layers.join('; ')}` : ''}` +
      (s.coverage.examinedShare < 1
        ? `: the rest was not looked at, ${unusableEpochs(s.coverage) || 'unusable in an epoch'} (nodata, fill, cloud, shadow, masked, or beyond a file)`
        : '') +
      '\n',
  );
  process.stdout.write(`${s.changedPixels} of ${s.validPixels} valid pixels changed (threshold ${s.pairStats.threshold.toFixed(4)}), ${s.patches} patches, ${s.areaMu.toFixed(2)} 亩 → ${out}\n`);
  return 0;
}
