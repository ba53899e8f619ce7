import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGE_NODATA, createStore, defaultParameters, detectPair, directorySource, keys, readBatchStatus, runBatch, type BlobStore, type DetectPairOutput, type DetectResult } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { ingestReport } from '../../cli/ingest-report.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';
import { expectSameDetection as same } from '../support/equivalence.js';
import { background, COVER, REFLECTANCE_SCALE, renderSpectra, SIZE } from '../support/synthetic-pair.js';

/**
 * Cloud shadows are told from dark ground by the other epoch (docs/detection.md step 1): a 96×96 pair at
 * 10 m, six bands (blue, green, red, nir, swir16, swir22), uint8 reflectance × 250, with a cloud's shadow on
 * a field in each epoch, ground that is dark in both epochs (a building's shadow under a low sun), and a
 * field paved over (dark in the infrared afterwards, but brighter in the red).
 */
const BANDS = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;
/** The synthetic pair's covers, and two kinds of dark ground. */
const COVERS = {
  crop: COVER.crop,
  soil: COVER.soil,
  forest: COVER.forest,
  cloudShadow: COVER.shadow,
  darkGround: [0.03, 0.032, 0.034, 0.09, 0.08, 0.06],
  asphalt: [0.09, 0.095, 0.1, 0.11, 0.09, 0.08],
} as const;
type Kind = keyof typeof COVERS;
const BLOCKS: Array<{ name: string; x: number; y: number; size: number; before: Kind; after: Kind }> = [
  { name: 'shadow-after', x: 8, y: 8, size: 14, before: 'crop', after: 'cloudShadow' },
  { name: 'shadow-before', x: 40, y: 8, size: 14, before: 'cloudShadow', after: 'crop' },
  { name: 'dark-in-both', x: 8, y: 48, size: 14, before: 'darkGround', after: 'darkGround' },
  { name: 'paved', x: 48, y: 52, size: 14, before: 'crop', after: 'asphalt' },
];
const blockOf = (name: string) => BLOCKS.find((b) => b.name === name)!;

const render = (epoch: 'before' | 'after', seed: number) =>
  renderSpectra(BANDS.length, seed, (x, y) => {
    const block = BLOCKS.find((b) => x >= b.x && x < b.x + b.size && y >= b.y && y < b.y + b.size);
    return block ? COVERS[block[epoch]] : COVERS[background(x, y) as 'crop' | 'forest' | 'soil'];
  });

const tif = (planes: Uint8Array) => encodeMultiBandGeoTiff({ width: SIZE, height: SIZE, bands: BANDS.length, planes, nodata: 0 });
const pair = { before: tif(render('before', 11)), after: tif(render('after', 12)) };
const reflectance = { scale: REFLECTANCE_SCALE, offset: 0 };

async function detect(extra: Partial<Parameters<typeof detectPair>[0]> = {}): Promise<DetectPairOutput> {
  return detectPair({
    before: { bytes: pair.before, name: 'before.tif' },
    after: { bytes: pair.after, name: 'after.tif' },
    bands: [...BANDS],
    parameters: defaultParameters({ alertOn: 'all' }),
    validity: { reflectance },
    ...extra,
  });
}

/** Counts of each change.tif value inside a block. */
async function valuesIn(result: DetectPairOutput, name: string): Promise<Record<number, number>> {
  const raster = await openGeoTiff({ bytes: result.changeTif }, 'change.tif');
  try {
    const b = blockOf(name);
    const planar = await raster.readWindow(b.x, b.y, b.size, b.size);
    const counts: Record<number, number> = {};
    for (const v of planar) counts[v] = (counts[v] ?? 0) + 1;
    return counts;
  } finally {
    await raster.close();
  }
}

const area = (name: string) => blockOf(name).size ** 2;

describe('cloud shadows against the other epoch', () => {
  it('masks a cloud shadow on lit ground in either epoch, and examines ground dark in both epochs and a field paved over', async () => {
    const result = await detect();
    expect(await valuesIn(result, 'shadow-after')).toEqual({ [CHANGE_NODATA]: area('shadow-after') });
    expect(await valuesIn(result, 'shadow-before')).toEqual({ [CHANGE_NODATA]: area('shadow-before') });
    // dark in both epochs: compared like with like, no change
    expect(await valuesIn(result, 'dark-in-both')).toEqual({ 0: area('dark-in-both') });
    // dark in the infrared afterwards, brighter in the red: change, found as a patch
    const paved = await valuesIn(result, 'paved');
    expect(paved[CHANGE_NODATA]).toBeUndefined();
    expect(paved[1]).toBeGreaterThan(0.8 * area('paved'));
    expect(result.patches.some((p) => p.areaM2 > 0.8 * area('paved') * 100)).toBe(true);
    // the shadowed epoch is the one counted unusable; nothing else is unusable in this pair
    expect(result.summary.validPixels).toBe(SIZE * SIZE - area('shadow-after') - area('shadow-before'));
    // (a block of 196 pixels of about 100 m² is about 29.4 亩; the blocks are the same size)
    const { beforeUnusableMu, afterUnusableMu, mu } = result.summary.coverage;
    expect(beforeUnusableMu).toBeCloseTo(afterUnusableMu, 2);
    expect(beforeUnusableMu / mu).toBeCloseTo(area('shadow-before') / (SIZE * SIZE), 4);
  });

  it('does not run without a reflectance scale: every pixel is examined', async () => {
    const result = await detect({ validity: {} });
    expect(result.summary.validPixels).toBe(SIZE * SIZE);
    expect(await valuesIn(result, 'shadow-after')).not.toHaveProperty(String(CHANGE_NODATA));
  });

  it('says when a stated scale cannot run the tests: four-band imagery has no swir16', async () => {
    const fourBands = (planes: Uint8Array) => encodeMultiBandGeoTiff({ width: SIZE, height: SIZE, bands: 4, planes: planes.subarray(0, 4 * SIZE * SIZE), nodata: 0 });
    const warnings: string[] = [];
    const result = await detectPair({
      before: { bytes: fourBands(render('before', 11)), name: 'gf2-before.tif' },
      after: { bytes: fourBands(render('after', 12)), name: 'gf2-after.tif' },
      bands: ['blue', 'green', 'red', 'nir'],
      parameters: defaultParameters(),
      validity: { reflectance },
      warn: (m) => warnings.push(m),
    });
    expect(result.summary.validPixels).toBe(SIZE * SIZE);
    expect(warnings).toEqual([
      'gf2-before.tif: a reflectance scale is stated, but the spectral cloud and shadow tests need blue, green, red, nir and swir16 (it has blue,green,red,nir): they do not run, and clouds read as change unless a cloud mask is given (--before-cloud-mask)',
      'gf2-after.tif: a reflectance scale is stated, but the spectral cloud and shadow tests need blue, green, red, nir and swir16 (it has blue,green,red,nir): they do not run, and clouds read as change unless a cloud mask is given (--after-cloud-mask)',
    ]);
    const sixBands: string[] = [];
    await detect({ warn: (m) => sixBands.push(m) });
    expect(sixBands).toEqual([]);
  });

  it('gives the same bytes with small tiles and two threads as in one window', async () => {
    same(await detect({ parameters: defaultParameters({ alertOn: 'all', tileSize: 64 }), threads: 2 }), await detect({ parameters: defaultParameters({ alertOn: 'all', tileSize: 64 }) }));
    const whole = await detect();
    const tiled = await detect({ parameters: defaultParameters({ alertOn: 'all', tileSize: 64 }) });
    expect(Buffer.from(tiled.changeTif).equals(Buffer.from(whole.changeTif))).toBe(true);
  });
});

describe('cloud shadows against the other epoch, through ingest', () => {
  let dir: string;
  let store: BlobStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoutu-shadow-'));
    store = createStore({ kind: 'local', dir: join(dir, 'data') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const params = defaultParameters({ alertOn: 'all', tileSize: 64 });
  /** A one-scene batch folder: six bands with the reflectance scale unless told otherwise. */
  const batch = async (name: string, acquiredAt: string, bytes: Uint8Array, extra: { regionCode?: string; bands?: string[]; reflectance?: typeof reflectance | null } = {}) => {
    const folder = join(dir, 'in', name);
    await mkdir(folder, { recursive: true });
    const scale = extra.reflectance === undefined ? reflectance : extra.reflectance;
    const manifest = {
      batchId: name,
      acquiredAt,
      platform: 'satellite',
      sensor: 'synthetic',
      bands: extra.bands ?? [...BANDS],
      regionCode: extra.regionCode ?? '321202',
      ...(scale ? { reflectance: scale } : {}),
    };
    await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest));
    await writeFile(join(folder, 'scene.tif'), bytes);
    return folder;
  };

  it('examines and masks the same pixels as shoutu detect', async () => {
    await runBatch(store, directorySource(await batch('shadow-1', '2024-01-01', pair.before)), params);
    const second = await runBatch(store, directorySource(await batch('shadow-2', '2024-06-01', pair.after)), params);
    expect(ingestReport(second.ingest, { files: 1, bytes: 0 })).not.toContain('spectral sky tests');
    const results = await Promise.all(
      (await store.list('detect/shadow-2/')).map(async (k) => JSON.parse(Buffer.from(await store.get(k)).toString('utf8')) as DetectResult),
    );
    expect(results.length).toBeGreaterThan(1);
    const cli = await detect();
    expect(results.reduce((s, r) => s + r.validPixels, 0)).toBe(cli.summary.validPixels);
    expect(results.reduce((s, r) => s + r.changedPixels, 0)).toBe(cli.summary.changedPixels);
    expect(keys.batchAlerts('shadow-2')).toContain('shadow-2');
    expect((await readBatchStatus(store, 'shadow-2'))!.skyTestsNotRun).toBeUndefined();
  });

  it('records in the batch status where a stated scale cannot run the tests', async () => {
    const fourBands = (planes: Uint8Array) => encodeMultiBandGeoTiff({ width: SIZE, height: SIZE, bands: 4, planes: planes.subarray(0, 4 * SIZE * SIZE), nodata: 0 });
    const sceneOf = async (batchId: string) => (await readBatchStatus(store, batchId))!.files[0]!.sceneId!;
    // Four-band imagery: its own bands cannot run either test, which the first epoch's status says already.
    const four = await runBatch(store, directorySource(await batch('sky-four-1', '2024-01-01', fourBands(render('before', 11)), { regionCode: '321203', bands: ['blue', 'green', 'red', 'nir'] })), params);
    const fourScene = await sceneOf('sky-four-1');
    const fourEntry = {
      sceneId: fourScene,
      tests: ['cloud', 'shadow'],
      reason:
        'a reflectance scale is stated, but the spectral cloud and shadow tests need blue, green, red, nir and swir16 (the scene has blue,green,red,nir): ' +
        'they do not run, and clouds read as change unless the batch gives a cloud mask (cloudMask in batch.json)',
    };
    expect(four.ingest.skyTestsNotRun).toEqual([fourEntry]);
    expect((await readBatchStatus(store, 'sky-four-1'))!.skyTestsNotRun).toEqual([fourEntry]);
    expect(ingestReport(four.ingest, { files: 1, bytes: 0 })).toContain(
      `  spectral sky tests not run (clouds or their shadows read as change)\n    scene.tif: cloud and shadow tests: ${fourEntry.reason}\n`,
    );
    // A six-band scene compared with it: each scene's cloud test is its own, but the pair is compared on four bands.
    const six = await runBatch(store, directorySource(await batch('sky-four-2', '2024-06-01', pair.after, { regionCode: '321203' })), params);
    expect(ingestReport(six.ingest, { files: 1, bytes: 0 })).toContain(`    scene.tif against ${fourScene}: shadow test: the cloud-shadow test needs`);
    expect((await readBatchStatus(store, 'sky-four-2'))!.skyTestsNotRun).toEqual([
      {
        sceneId: await sceneOf('sky-four-2'),
        baselineSceneId: fourScene,
        tests: ['shadow'],
        reason: 'the cloud-shadow test needs blue, green, red, nir and swir16 among the bands both scenes are compared on (blue,green,red,nir): it does not run, and cloud shadows read as change',
      },
    ]);
    // An earlier epoch that stated no scale: its clouds, and the pair's shadows, go untested.
    await runBatch(store, directorySource(await batch('sky-plain-1', '2024-01-01', pair.before, { regionCode: '321204', reflectance: null })), params);
    expect((await readBatchStatus(store, 'sky-plain-1'))!.skyTestsNotRun).toBeUndefined();
    const stated = await runBatch(store, directorySource(await batch('sky-plain-2', '2024-06-01', pair.after, { regionCode: '321204' })), params);
    expect(stated.ingest.tiles.length).toBeGreaterThan(0);
    expect((await readBatchStatus(store, 'sky-plain-2'))!.skyTestsNotRun).toEqual([
      {
        sceneId: await sceneOf('sky-plain-2'),
        baselineSceneId: await sceneOf('sky-plain-1'),
        tests: ['cloud', 'shadow'],
        reason: "the earlier epoch's scene (batch sky-plain-1) states no reflectance scale: its clouds, and cloud shadows in either epoch, are not tested and read as change",
      },
    ]);
  });
});
