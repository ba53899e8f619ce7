import { describe, expect, it } from 'vitest';
import { CHANGE_NODATA, defaultParameters, detectPair, InvalidInputError, type DetectPairOutput, type Patch } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { BANDS6, block, maskPlane, maskTif, NODATA_ROWS, REFLECTANCE_SCALE, SIZE, syntheticPair, type Block } from '../support/synthetic-pair.js';

type Input = Parameters<typeof detectPair>[0];

async function detect(pair: { before: Uint8Array; after: Uint8Array }, extra: Partial<Input> = {}): Promise<DetectPairOutput> {
  return detectPair({
    before: { bytes: pair.before, name: 'before.tif' },
    after: { bytes: pair.after, name: 'after.tif' },
    bands: [...BANDS6],
    parameters: defaultParameters({ alertOn: 'all' }),
    ...extra,
  });
}

async function changeMap(result: DetectPairOutput): Promise<Uint8Array> {
  const raster = await openGeoTiff({ bytes: result.changeTif }, 'change.tif');
  try {
    const planar = await raster.readWindow(0, 0, SIZE, SIZE);
    return Uint8Array.from(planar);
  } finally {
    await raster.close();
  }
}

const inside = (b: Block, f: (x: number, y: number) => void) => {
  for (let y = b.y; y < b.y + b.size; y++) for (let x = b.x; x < b.x + b.size; x++) f(x, y);
};
// pixelBbox is on the global lattice: column 0 of the scene is x 500 000 m / 10 m, row 0 is −3 600 000 m / 10 m.
const [COL0, ROW0] = [50_000, -360_000];
const patchAt = (patches: readonly Patch[], b: Block) => {
  const [cx, cy] = [COL0 + b.x + b.size / 2, ROW0 + b.y + b.size / 2];
  return patches.find((p) => p.pixelBbox[0] <= cx && p.pixelBbox[2] > cx && p.pixelBbox[1] <= cy && p.pixelBbox[3] > cy);
};

const withReflectance = { validity: { reflectance: { scale: REFLECTANCE_SCALE, offset: 0 } } };

describe('typing and validity on a synthetic pair', () => {
  it('types each change by its index transitions', async () => {
    const result = await detect(syntheticPair(), withReflectance);
    for (const name of ['construction', 'bare_soil', 'water_gain', 'water_loss', 'vegetation_loss']) {
      const patch = patchAt(result.patches, block(name));
      expect(patch, name).toBeDefined();
      expect(patch!.changeType, name).toBe(name);
      expect(patch!.cloudFreeFraction, name).toBe(1);
    }
    expect(patchAt(result.patches, block('construction-by-cloud'))!.changeType).toBe('construction');
  });

  it('never calls seasonal vegetation change change: its pixels are 0 (observed, no change) in change.tif', async () => {
    const result = await detect(syntheticPair(), withReflectance);
    expect(patchAt(result.patches, block('seasonal'))).toBeUndefined();
    const change = await changeMap(result);
    const values = new Map<number, number>();
    inside(block('seasonal'), (x, y) => values.set(change[y * SIZE + x]!, (values.get(change[y * SIZE + x]!) ?? 0) + 1));
    expect([...values]).toEqual([[0, 144]]);
    // the crop → sparse block next to it is not vegetated afterwards: still change
    let flagged = 0;
    inside(block('vegetation_loss'), (x, y) => (flagged += change[y * SIZE + x] === 1 ? 1 : 0));
    expect(flagged).toBeGreaterThan(80);
  });

  it('never flags clouds, cloud shadow or nodata: they are 255 in change.tif', async () => {
    const result = await detect(syntheticPair(), withReflectance);
    const change = await changeMap(result);
    for (const name of ['cloud', 'cloud-next-to-construction', 'shadow']) {
      inside(block(name), (x, y) => expect(change[y * SIZE + x], `${name} at ${x},${y}`).toBe(CHANGE_NODATA));
    }
    for (let y = NODATA_ROWS[0]; y < NODATA_ROWS[1]; y++) for (let x = 0; x < SIZE; x++) expect(change[y * SIZE + x]).toBe(CHANGE_NODATA);
    for (const p of result.patches) expect(p.pixelBbox[3] - ROW0).toBeLessThanOrEqual(NODATA_ROWS[0]);
    // the patch beside the cloud knows part of its footprint was hidden
    const beside = patchAt(result.patches, block('construction-by-cloud'))!;
    expect(beside.cloudFreeFraction).toBeLessThan(0.9);
    expect(beside.cloudFreeFraction).toBeGreaterThan(0.5);
  });

  it('without a reflectance scale the spectral cloud test does not run (clouds then look like change)', async () => {
    const result = await detect(syntheticPair());
    const change = await changeMap(result);
    let flagged = 0;
    inside(block('cloud'), (x, y) => (flagged += change[y * SIZE + x] === 1 ? 1 : 0));
    expect(flagged).toBeGreaterThan(100);
  });

  it('honours an operator cloud mask file: masked pixels are never flagged', async () => {
    const target = block('construction');
    const result = await detect(syntheticPair(), { validity: { ...withReflectance.validity, cloudMask: { after: { bytes: maskTif(maskPlane([target])), name: 'after-clouds.tif' } } } });
    const change = await changeMap(result);
    inside(target, (x, y) => expect(change[y * SIZE + x]).toBe(CHANGE_NODATA));
    expect(patchAt(result.patches, target)).toBeUndefined();
    expect(patchAt(result.patches, block('bare_soil'))!.changeType).toBe('bare_soil');
  });

  it('honours classified mask values (only the listed classes are masked)', async () => {
    const plane = maskPlane([block('construction')]).map((v) => (v ? 4 : 1)); // 4 = cloud, 1 = clear water class
    const result = await detect(syntheticPair(), { validity: { ...withReflectance.validity, cloudMask: { before: { bytes: maskTif(plane), name: 'fmask.tif' }, values: [2, 4] } } });
    const change = await changeMap(result);
    expect(change[(block('construction').y + 5) * SIZE + block('construction').x + 5]).toBe(CHANGE_NODATA);
    expect(patchAt(result.patches, block('bare_soil'))).toBeDefined();
  });

  it('rejects a bad cloud mask with a clear error naming the file', async () => {
    const twoBands = syntheticPair([0, 1]).after;
    const wrongSize = maskTif(new Uint8Array(SIZE * (SIZE - 1)), SIZE - 1);
    for (const [bytes, message] of [
      [twoBands, /masks\.tif: cloud mask has 2 bands, expected 1/],
      [wrongSize, /masks\.tif: cloud mask is not on the grid of before\.tif/],
      [new Uint8Array([1, 2, 3]), /masks\.tif/],
    ] as const) {
      const error = await detect(syntheticPair(), { validity: { cloudMask: { before: { bytes, name: 'masks.tif' } } } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(message);
      expect((error as InvalidInputError).file).toBe('masks.tif');
    }
  });

  it('works on RGB-only imagery (drone): greenness, chroma and brightness type the change', async () => {
    // No clouds: RGB has no bands for a spectral cloud test (a drone flies under them).
    const rgb = syntheticPair([2, 1, 0], { clouds: false });
    const result = await detectPair({ before: { bytes: rgb.before, name: 'b.tif' }, after: { bytes: rgb.after, name: 'a.tif' }, parameters: defaultParameters() });
    expect(result.summary.bands).toEqual(['red', 'green', 'blue']);
    const construction = patchAt(result.patches, block('construction'))!;
    expect(construction.changeType).toBe('construction');
    expect(Object.keys(construction.indices).sort()).toEqual(['brightness', 'chroma', 'exg', 'redness']);
    expect(patchAt(result.patches, block('construction-by-cloud'))!.changeType).toBe('construction');
    expect(result.patches.every((p) => p.indices.ndvi === undefined)).toBe(true);
  });
});
