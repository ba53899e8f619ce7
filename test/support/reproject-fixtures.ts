/**
 * The reprojection fixtures (fixtures/reproject/, made by scripts/fixtures/make-reproject.sh): one ground
 * pattern delivered in CGCS2000 / 3-degree Gauss–Krüger CM 120E (EPSG:4549) and in UTM 51N (EPSG:32651).
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixture } from './fixtures.js';

export interface ReprojectTruth {
  crs: string;
  squareSizeM: number;
  /** square centres, EPSG:4549 metres */
  squares: Array<[number, number]>;
  /** planted changes (in utm-change.tif only), EPSG:4549 metres */
  changes: Record<'construction' | 'water_gain', { minX: number; maxX: number; minY: number; maxY: number }>;
  scale: number;
  bands: string[];
}

export const REPROJECT = {
  gk: fixture('reproject', 'gk.tif'),
  utm: fixture('reproject', 'utm.tif'),
  utmChange: fixture('reproject', 'utm-change.tif'),
};

export async function reprojectTruth(): Promise<ReprojectTruth> {
  return JSON.parse(await readFile(fixture('reproject', 'truth.json'), 'utf8')) as ReprojectTruth;
}

/** A batch folder under `root` holding one fixture scene as scene.tif and its batch.json. */
export async function reprojectBatch(root: string, batchId: string, acquiredAt: string, scene: string, extra: object = {}): Promise<string> {
  const folder = join(root, batchId);
  await mkdir(folder, { recursive: true });
  const manifest = {
    batchId,
    acquiredAt,
    platform: 'satellite',
    sensor: 'synthetic 10 m',
    bands: ['blue', 'green', 'red', 'nir'],
    regionCode: '320505',
    ...extra,
  };
  await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest, null, 2));
  await copyFile(scene, join(folder, 'scene.tif'));
  return folder;
}
