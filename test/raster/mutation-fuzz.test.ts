/**
 * Seeded mutation fuzzing of the GeoTIFF reader and of detectPair. The committed hostile set
 * (hostile-fixtures.test.ts) forges one part at a time on purpose; here each good flavour of the matrix is
 * damaged at random — header and IFD bytes, IFD entries' type, count or value set to extremes, pixel
 * data bytes, truncation — and every result must be either a full decode or a ShoutuError that names the
 * file and the field, never another exception (a TypeError or RangeError from deep in a decoder) or a hang
 * (the test's timeout). The seeds are fixed, so a failure reproduces: the message gives flavour and case.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { ShoutuError } from '../../shared/src/errors.js';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';
import { mutate, readWhole } from '../support/mutate-geotiff.js';
import { fixture } from '../support/fixtures.js';

const CODES = new Set(['not_geotiff', 'not_georeferenced', 'unsupported_raster', 'corrupt_raster', 'outside_area', 'band_count_mismatch', 'no_shared_bands', 'no_common_ground']);

/** 'ok' for a full decode, else the error's code; throws when the error is not a clear ShoutuError. */
function outcomeOf(error: unknown, names: string[], label: string): string {
  if (!(error instanceof ShoutuError)) throw new Error(`${label}: not a ShoutuError: ${String((error as Error)?.stack ?? error)}`);
  expect(CODES.has(error.code), `${label}: code ${error.code}`).toBe(true);
  expect(error.field, `${label}: no field in "${error.message}"`).toBeTruthy();
  expect(names.some((n) => error.message.startsWith(`${n}: `)), `${label}: message does not name the file: "${error.message}"`).toBe(true);
  return error.code;
}

const FLAVOURS = [
  'float32-deflate-pred3-tiled.tif',
  'float32-lzw-pred3-strips-band.tif',
  'float32-deflate-pred3-bigtiff.tif',
  'float32-lerc-tiled.tif',
  'float32-lerc-zstd-strips.tif',
  'float32-cog-zstd.tif',
  'uint16-lzw-pred2-tiled.tif',
  'uint16-packbits-strips.tif',
  'uint16-zstd-bigendian-strips.tif',
  'uint8-rgb-jpeg-tiled.tif',
  'uint8-mask-deflate.tif',
];
const CASES = 150;

describe('damaged GeoTIFFs: decoded, or rejected with an error naming file and field', () => {
  it.each(FLAVOURS)(`%s, ${CASES} seeded mutations`, async (flavour) => {
    const original = new Uint8Array(readFileSync(fixture('raster', 'matrix', flavour)));
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const random = mulberry32(0x5eed + i * 7919 + flavour.length * 104729);
      const bytes = mutate(original, random);
      const label = `${flavour} case ${i}`;
      let outcome = 'ok';
      try {
        const raster = await openGeoTiff({ bytes }, 'damaged.tif');
        try {
          await readWhole(raster, (error: unknown) => outcomeOf(error, ['damaged.tif'], `${label} (verifyBlocks)`));
        } finally {
          await raster.close();
        }
      } catch (error) {
        outcome = outcomeOf(error, ['damaged.tif'], label);
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // The mutations reach both sides: some files still decode, most are refused.
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(CASES - (outcomes.get('ok') ?? 0)).toBeGreaterThan(CASES / 4);
  });
});

describe('detectPair with one damaged file: a result, or an error naming the file', () => {
  const PAIRS: Array<[string, string]> = [
    ['before-uint16.tif', 'uint16-zstd-pred2-tiled.tif'],
    ['before-uint8-rgb.tif', 'uint8-rgb-jpeg-tiled.tif'],
  ];
  it.each(PAIRS)('%s + %s, 60 seeded mutations', async (beforeName, afterName) => {
    const before = new Uint8Array(readFileSync(fixture('raster', 'matrix', beforeName)));
    const after = new Uint8Array(readFileSync(fixture('raster', 'matrix', afterName)));
    let results = 0;
    for (let i = 0; i < 60; i++) {
      const random = mulberry32(0xd37ec7 + i * 7919 + afterName.length);
      const damageBefore = random() < 0.5;
      const b = damageBefore ? mutate(before, random) : before;
      const a = damageBefore ? after : mutate(after, random);
      try {
        const out = await detectPair({ before: { bytes: b, name: 'before.tif' }, after: { bytes: a, name: 'after.tif' }, parameters: defaultParameters() });
        expect(out.changeTif.length).toBeGreaterThan(0);
        results++;
      } catch (error) {
        outcomeOf(error, ['before.tif', 'after.tif'], `${afterName} case ${i} (${damageBefore ? 'before' : 'after'} damaged)`);
      }
    }
    expect(results).toBeGreaterThan(0);
  });
});
