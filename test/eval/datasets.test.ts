import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { afterBandsFor, bandsFor, type PairDir } from '../../scripts/eval/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'shoutu-eval-bands-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pair: PairDir = { dir, group: 'mixed', label: 'mixed' };

describe('band orders of an evaluation pair', () => {
  it('come from bands.txt and, for an after file of another sensor, after-bands.txt', async () => {
    expect(await afterBandsFor(pair)).toBeUndefined();
    expect(await bandsFor(pair, { mixed: ['red'] })).toEqual({ bands: ['red'], source: { kind: 'table', group: 'mixed' } });
    writeFileSync(join(dir, 'bands.txt'), 'blue, green, red\nnir\nswir16,swir22\n');
    writeFileSync(join(dir, 'after-bands.txt'), 'Red,Green,Blue');
    expect((await bandsFor(pair, {})).bands).toEqual(['blue', 'green', 'red', 'nir', 'swir16', 'swir22']);
    expect(await afterBandsFor(pair)).toEqual(['red', 'green', 'blue']);
  });

  it('name the file and the position of a name that is not a common name', async () => {
    writeFileSync(join(dir, 'after-bands.txt'), 'red,grene');
    await expect(afterBandsFor(pair)).rejects.toThrow(`${join(dir, 'after-bands.txt')}: "grene" (position 2) is not a STAC eo:common_name`);
  });
});
