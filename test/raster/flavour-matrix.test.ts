/**
 * The GeoTIFF flavour matrix (fixtures/raster/matrix, scripts/fixtures/make_matrix.py) checked against what
 * GDAL reads from each file (gdal-read.json): `shoutu info --json` must report the same band sample hashes
 * and structure — for JPEG (YCbCr included) bit-identical samples, as for every other codec; flavours
 * shoutu does not decode must be refused with an unsupported_raster error naming the compression; and
 * detection on a lossless flavour must give the same change map as on the uncompressed original, and on a
 * lossy flavour (JPEG, lossy LERC) the same as on GDAL's decoding of it, stored uncompressed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultParameters, detectPair, InvalidInputError } from '@shoutu/shared';
import type { GeoTiffDescription } from '@shoutu/shared/raster/index.js';
import { runInfo } from '../../cli/commands/info.js';
import { fixture, REPO_ROOT } from '../support/fixtures.js';

interface GdalRead {
  bandSha256: string[];
  size: [number, number];
  sampleType: string;
  compression: string;
  interleave: string;
  predictor: number;
  blockSize: [number, number];
  overviews: Array<[number, number]>;
  internalMask: boolean;
  nodata: number | string | null;
  geoTransform: number[];
}

const MATRIX = fixture('raster', 'matrix');
const GDAL: Record<string, GdalRead> = (JSON.parse(readFileSync(join(MATRIX, 'gdal-read.json'), 'utf8')) as { files: Record<string, GdalRead> }).files;
const NAMES = Object.keys(GDAL).sort();

/** GDAL's IMAGE_STRUCTURE COMPRESSION values shoutu decodes, with the name `info` reports. */
const DECODED: Record<string, string> = {
  NONE: 'none',
  LZW: 'LZW',
  DEFLATE: 'Deflate',
  PACKBITS: 'PackBits',
  ZSTD: 'ZSTD',
  LERC: 'LERC',
  LERC_DEFLATE: 'LERC_DEFLATE',
  LERC_ZSTD: 'LERC_ZSTD',
  JPEG: 'JPEG',
  'YCbCr JPEG': 'JPEG',
};
/** The flavours shoutu refuses, with the compression name its error must give. */
const REFUSED: Record<string, string> = { WEBP: 'WebP (50001)' };
const GDAL_TYPES: Record<string, string> = { Byte: 'uint8', UInt16: 'uint16', Int16: 'int16', UInt32: 'uint32', Float32: 'float32' };

const decoded = NAMES.filter((n) => DECODED[GDAL[n]!.compression] !== undefined);
const refused = NAMES.filter((n) => DECODED[GDAL[n]!.compression] === undefined);

/** Runs `shoutu info --json FILE` in-process and parses what it prints. */
async function infoJson(name: string): Promise<GeoTiffDescription> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    expect(await runInfo([join(MATRIX, name), '--json'])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(out) as GeoTiffDescription;
}

afterEach(() => vi.restoreAllMocks());

describe('the flavour matrix covers what the issue lists', () => {
  it('has every sample type, compression, predictor, interleave, BigTIFF, COG overviews, nodata and an internal mask', () => {
    const all = NAMES.map((n) => GDAL[n]!);
    expect(new Set(all.map((g) => g.sampleType))).toEqual(new Set(Object.keys(GDAL_TYPES)));
    expect(new Set(all.map((g) => g.compression))).toEqual(new Set([...Object.keys(DECODED), ...Object.keys(REFUSED)]));
    expect(NAMES.some((n) => n.includes('pred2'))).toBe(true);
    expect(NAMES.some((n) => n.includes('pred3'))).toBe(true);
    expect(new Set(all.map((g) => g.interleave))).toEqual(new Set(['PIXEL', 'BAND']));
    expect(NAMES.filter((n) => n.includes('bigtiff')).length).toBeGreaterThanOrEqual(3);
    expect(all.filter((g) => g.overviews.length > 0).length).toBeGreaterThanOrEqual(3);
    expect(all.some((g) => g.internalMask)).toBe(true);
    expect(all.some((g) => g.nodata === 'nan') && all.some((g) => typeof g.nodata === 'number')).toBe(true);
    expect(decoded.length).toBeGreaterThan(70);
    // the new codecs in strips and tiles, with their predictors and sample types
    const has = (compression: string, pattern: RegExp) => NAMES.some((n) => GDAL[n]!.compression === compression && pattern.test(n));
    for (const type of ['uint8', 'uint16', 'float32']) {
      expect(has('ZSTD', new RegExp(`^${type}-.*strips`)) && has('ZSTD', new RegExp(`^${type}-.*tiled`))).toBe(true);
      expect(NAMES.some((n) => n.startsWith(`${type}-`) && GDAL[n]!.compression.startsWith('LERC'))).toBe(true);
    }
    expect(has('ZSTD', /pred2/) && has('ZSTD', /pred3/)).toBe(true);
    expect(['LERC', 'LERC_DEFLATE', 'LERC_ZSTD'].every((c) => has(c, /./))).toBe(true);
    expect(has('LERC', /strips/) && has('LERC', /tiled/)).toBe(true);
    expect(has('JPEG', /strips/) && has('JPEG', /tiled/) && has('YCbCr JPEG', /strips/) && has('YCbCr JPEG', /cog/)).toBe(true);
  });
});

describe('gdal-read.json is what GDAL reads from the committed files', () => {
  it('re-reads every matrix file with GDAL (scripts/fixtures/make-matrix.sh --check)', () => {
    const check = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'fixtures', 'make-matrix.sh'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain(`${NAMES.length} of ${NAMES.length} matrix files read by GDAL as recorded`);
    expect(check.status).toBe(0);
  }, 120_000);
});

describe('shoutu info --json reads every decodable flavour exactly as GDAL does', () => {
  it.each(decoded)('%s', async (name) => {
    const gdal = GDAL[name]!;
    const info = await infoJson(name);
    expect(info.bandSha256).toEqual(gdal.bandSha256);
    expect([info.width, info.height]).toEqual(gdal.size);
    expect(info.bands).toBe(gdal.bandSha256.length);
    expect(info.sampleType).toBe(GDAL_TYPES[gdal.sampleType]);
    expect(info.compression).toBe(DECODED[gdal.compression]);
    expect(info.interleave).toBe(gdal.interleave.toLowerCase());
    expect(info.blockSize).toEqual(gdal.blockSize);
    expect(info.overviews).toEqual(gdal.overviews);
    expect(info.internalMask).toBe(gdal.internalMask);
    expect(info.nodata).toEqual(gdal.nodata);
    expect(info.geoTransform).toEqual(gdal.geoTransform);
    expect(info.crs).toEqual({ epsg: 32651 });
    expect(info.bigTiff).toBe(name.includes('bigtiff'));
    expect(info.predictor).toBe(({ 1: 'none', 2: 'horizontal', 3: 'floating-point' } as Record<number, string>)[gdal.predictor]);
    expect(info.warnings).toEqual([]);
  });
});

describe('flavours shoutu does not decode are refused, naming the compression', () => {
  it.each(refused)('%s', async (name) => {
    const error = await infoJson(name).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    const e = error as InvalidInputError;
    expect(e.code).toBe('unsupported_raster');
    expect(e.field).toBe('Compression');
    expect(e.file).toBe(name);
    expect(e.message).toContain(`compression ${REFUSED[GDAL[name]!.compression]} is not supported`);
  });
});

/** Change maps of detection on before → `after`, computed once per file. */
const changeMaps = new Map<string, Promise<Uint8Array>>();
function changeMap(after: string): Promise<Uint8Array> {
  if (!changeMaps.has(after)) {
    // 3-band RGB flavours against the RGB before epoch, the others against their type's
    const before = after.startsWith('uint8-rgb-') ? 'before-uint8-rgb.tif' : `before-${after.split('-')[0]!}.tif`;
    const run = detectPair({ before: { path: join(MATRIX, before) }, after: { path: join(MATRIX, after) }, parameters: defaultParameters() });
    changeMaps.set(after, run.then((r) => r.changeTif));
  }
  return changeMaps.get(after)!;
}

describe('detection on a lossless flavour gives the same change map as on the uncompressed original', () => {
  // every decodable flavour whose samples equal its type's uncompressed original (no nodata holes, no
  // internal mask: what a mask leaves out is not compared, below)
  const pairs = decoded.filter((n) => !n.startsWith('before-') && !n.endsWith('-none-strips.tif') && !n.includes('-mask-'));
  const originalOf = (name: string) => `${name.split('-')[0]}-none-strips.tif`;
  const same = pairs.filter((n) => GDAL[n]!.bandSha256.join() === GDAL[originalOf(n)]!.bandSha256.join());

  it('covers every sample type and most flavours', () => {
    expect(new Set(same.map((n) => n.split('-')[0]))).toEqual(new Set(Object.values(GDAL_TYPES)));
    expect(same.length).toBeGreaterThan(30);
  });

  it.each(same)('%s', async (name) => {
    const [flavour, original] = await Promise.all([changeMap(name), changeMap(originalOf(name))]);
    expect(Buffer.from(flavour).equals(Buffer.from(original))).toBe(true);
  });

  it('a flavour with an internal mask is compared where the mask covers the ground, and nowhere else', async () => {
    const { openGeoTiff } = await import('@shoutu/shared/raster/index.js');
    const name = 'uint8-mask-deflate.tif';
    const raster = await openGeoTiff({ path: join(MATRIX, name) }, name);
    const { width, height } = raster.info;
    const covered = (await raster.readMaskWindow(0, 0, width, height))!;
    await raster.close();
    const map = await openGeoTiff({ bytes: await changeMap(name) }, 'change.tif');
    const decision = await map.readWindowNative(0, 0, width, height);
    await map.close();
    const hidden = covered.filter((c) => c === 0).length;
    expect(hidden).toBeGreaterThan(0);
    for (let i = 0; i < covered.length; i++) if (covered[i] === 0) expect(decision[i]).toBe(255);
    expect(decision.filter((v) => v !== 255).length).toBeGreaterThan(0);
  });

  it('the matrix pair does hold change (the comparison is not between two empty maps)', async () => {
    const map = await changeMap('uint8-none-strips.tif');
    const { openGeoTiff } = await import('@shoutu/shared/raster/index.js');
    const raster = await openGeoTiff({ bytes: map }, 'change.tif');
    const pixels = await raster.readWindowNative(0, 0, raster.info.width, raster.info.height);
    await raster.close();
    expect(pixels.filter((v) => v === 1).length).toBeGreaterThan(50);
  });

  it('covers the new lossless codecs', () => {
    for (const c of ['ZSTD', 'LERC', 'LERC_DEFLATE', 'LERC_ZSTD']) expect(same.some((n) => GDAL[n]!.compression === c)).toBe(true);
  });
});

describe('detection on a lossy flavour gives the same change map as on GDAL\'s decoding of it', () => {
  // JPEG and lossy LERC cannot give the original's samples; what they must give is GDAL's
  const lossy = decoded.filter((n) => NAMES.includes(n.replace(/\.tif$/, '-gdal-decoded.tif')));

  it('covers JPEG (4-band, RGB, YCbCr tiled, in strips and as a COG) and lossy LERC', () => {
    expect(lossy.filter((n) => GDAL[n]!.compression === 'JPEG').length).toBeGreaterThanOrEqual(4);
    expect(lossy.filter((n) => GDAL[n]!.compression === 'YCbCr JPEG').length).toBeGreaterThanOrEqual(3);
    expect(lossy.some((n) => GDAL[n]!.compression.startsWith('LERC'))).toBe(true);
  });

  it('the RGB pair holds change too', async () => {
    const map = await changeMap('uint8-rgb-jpeg-ycbcr-gdal-decoded.tif');
    const { openGeoTiff } = await import('@shoutu/shared/raster/index.js');
    const raster = await openGeoTiff({ bytes: map }, 'change.tif');
    const pixels = await raster.readWindowNative(0, 0, raster.info.width, raster.info.height);
    await raster.close();
    expect(pixels.filter((v) => v === 1).length).toBeGreaterThan(50);
  });

  it.each(lossy)('%s', async (name) => {
    const asRead = name.replace(/\.tif$/, '-gdal-decoded.tif');
    expect(GDAL[asRead]!.bandSha256).toEqual(GDAL[name]!.bandSha256);
    const [flavour, reference] = await Promise.all([changeMap(name), changeMap(asRead)]);
    expect(Buffer.from(flavour).equals(Buffer.from(reference))).toBe(true);
  });
});

describe('npx shoutu info', () => {
  const BIN = join(REPO_ROOT, 'bin', 'shoutu.mjs');
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'info', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

  it('prints the facts for people, and exits 2 naming the compression for a file it cannot decode', () => {
    const ok = run([join(MATRIX, 'uint8-cog-deflate.tif')]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/80 × 64, 4 band\(s\) of uint8/);
    expect(ok.stdout).toMatch(/EPSG:32651/);
    expect(ok.stdout).toMatch(/overviews +40 × 32, 20 × 16, 10 × 8/);
    expect(ok.stdout).toContain(GDAL['uint8-cog-deflate.tif']!.bandSha256[3]);
    const bad = run([join(MATRIX, 'uint8-rgb-webp-tiled.tif'), '--json']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/uint8-rgb-webp-tiled\.tif: TIFF compression WebP \(50001\) is not supported/);
  }, 60_000);

  it('shows the band descriptions, the common name read from each, and the order they give', () => {
    const taizhou = run([join(REPO_ROOT, 'fixtures', 'taizhou', '2000-03-17', 'scene.tif')]);
    expect(taizhou.status).toBe(0);
    expect(taizhou.stdout).toContain('     4  "TM/ETM+ band 4 (0.825000 um)"  → nir\n');
    expect(taizhou.stdout).toContain('  band order     blue,green,red,nir,swir16,swir22\n');
    const json = JSON.parse(run([join(REPO_ROOT, 'fixtures', 'taizhou', '2000-03-17', 'scene.tif'), '--json']).stdout) as { bandDescriptions: string[] };
    expect(json.bandDescriptions[5]).toBe('TM/ETM+ band 7 (2.220000 um)');
    const none = run([join(MATRIX, 'before-uint8-rgb.tif')]);
    expect(none.stdout).toContain('  band names     none in the file\n');
    expect(none.stdout).not.toContain('band order');
  }, 60_000);

  it('says when pixels 0 in every band are fill: integers that declare no nodata, 16-bit or 8-bit with 3 bands or more', () => {
    const fill = '  nodata         none (pixels 0 in every band are fill: left out like nodata)\n';
    expect(run([join(MATRIX, 'before-uint16.tif')]).stdout).toContain(fill);
    expect(run([join(MATRIX, 'before-uint8-rgb.tif')]).stdout).toContain(fill);
    expect(run([join(MATRIX, 'int16-nodata-deflate.tif')]).stdout).toMatch(/ {2}nodata {9}-?\d+\n/);
    expect(run([join(REPO_ROOT, 'fixtures', 'raster', 'uint8-epsg4490.tif')]).stdout).toContain('  nodata         none\n');
  }, 60_000);
});
