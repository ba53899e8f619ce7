import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { createStore, ensureBucket } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { startS3Server } from '../support/s3-server.js';
import { runShoutu } from '../support/cli.js';
import { DETECT_OPTIONS } from '../../cli/commands/detect-run.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';

const shoutu = runShoutu;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('npx shoutu demo and replay', () => {
  it('runs the demo embedded, then replays its record; an altered output makes replay fail naming it', async () => {
    const data = join(work, 'data');
    const demo = shoutu(['demo'], { SHOUTU_DATA_DIR: data });
    expect(demo.stderr).not.toMatch(/Error/);
    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/alerts \(图斑\)\s+\d+/);
    expect(demo.stdout).toMatch(/\n {6}scene\.tif against taizhou-2000-03\.scene, 4 tile\(s\): [\d.]+ of [\d.]+ 亩 \(100\.0 %\); farmland [\d.]+ of [\d.]+ 亩 \(100\.0 %\); red line /);
    expect(demo.stdout).toContain(`coverage:    ${join(data, 'batches', 'taizhou-2003-02', 'coverage.geojson')}`);
    const alerts = JSON.parse(await readFile(join(data, 'alerts.geojson'), 'utf8')) as { features: Array<{ properties: { evidence: { before: string; after: string } } }> };
    expect(alerts.features.length).toBeGreaterThan(0);
    for (const f of alerts.features) {
      expect((await readFile(join(data, f.properties.evidence.before))).subarray(1, 4).toString()).toBe('PNG');
      expect((await readFile(join(data, f.properties.evidence.after))).subarray(1, 4).toString()).toBe('PNG');
    }

    const record = join(data, 'runs', 'taizhou-2003-02.json');
    const ok = shoutu(['replay', record], { SHOUTU_DATA_DIR: data });
    expect(ok.stdout).toMatch(/byte-identical/);
    expect(ok.status).toBe(0);

    const altered = join(data, 'batches', 'taizhou-2003-02', 'alerts.geojson');
    await writeFile(altered, (await readFile(altered, 'utf8')).replace('"severity"', '"severity" '));
    const bad = shoutu(['replay', record], { SHOUTU_DATA_DIR: data });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain(altered);
    expect(bad.stdout).toMatch(/stored/);
    // the coverage map is an output the replay checks too
    await writeFile(altered, (await readFile(altered, 'utf8')).replace('"severity" ', '"severity"'));
    const map = join(data, 'batches', 'taizhou-2003-02', 'coverage.geojson');
    await writeFile(map, (await readFile(map, 'utf8')).replace('"examinedShare":1', '"examinedShare":0.9'));
    const badMap = shoutu(['replay', record], { SHOUTU_DATA_DIR: data });
    expect(badMap.status).toBe(1);
    expect(badMap.stdout).toContain(map);
    expect(badMap.stdout).not.toContain(altered);
  }, 180_000);
});

describe('npx shoutu detect (evaluation contract)', () => {
  it('reaches F1 ≥ 0.95 on the labelled Taizhou pixels (issue target; 0.90 is the contract floor) and writes the three outputs', async () => {
    const out = join(work, 'detect');
    const run = shoutu([
      'detect',
      '--before', fixture('taizhou', '2000-03-17', 'scene.tif'),
      '--after', fixture('taizhou', '2003-02-06', 'scene.tif'),
      '--bands', 'blue,green,red,nir,swir16,swir22',
      '--farmland', fixture('masks', 'farmland.geojson'),
      '--redline', fixture('masks', 'redline.geojson'),
      '--out', out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const change = await openGeoTiff({ path: join(out, 'change.tif') }, 'change.tif');
    const truth = await openGeoTiff({ path: fixture('taizhou', 'truth.tif') }, 'truth.tif');
    expect(change.info).toMatchObject({ width: 400, height: 400, bands: 1, epsg: 32651, nodata: 255, geoTransform: truth.info.geoTransform });
    const c = await change.readWindow(0, 0, 400, 400);
    const t = await truth.readWindow(0, 0, 400, 400);
    await Promise.all([change.close(), truth.close()]);
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < c.length; i++) {
      if (t[i] === 255 || c[i] === 255) continue;
      expect([0, 1]).toContain(c[i]);
      if (c[i] === 1 && t[i] === 1) tp++;
      else if (c[i] === 1) fp++;
      else if (t[i] === 1) fn++;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    expect(f1).toBeGreaterThanOrEqual(0.95);
    const patches = JSON.parse(await readFile(join(out, 'patches.geojson'), 'utf8')) as { features: unknown[] };
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { patches: number; bands: string[]; validPixels: number };
    expect(patches.features).toHaveLength(summary.patches);
    expect(summary.bands).toEqual(['blue', 'green', 'red', 'nir', 'swir16', 'swir22']);
    expect(summary.validPixels).toBe(160_000);
  }, 120_000);

  it('names a missing argument and a bad band name, exit 2', () => {
    const noOut = shoutu(['detect', '--before', 'a.tif', '--after', 'b.tif']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toContain('--out');
    const badBand = shoutu(['detect', '--before', 'a.tif', '--after', 'b.tif', '--out', join(work, 'x'), '--bands', 'blue,ultraviolet']);
    expect(badBand.status).toBe(2);
    expect(badBand.stderr).toContain('ultraviolet');
  });

  it('resamples an after file of another CRS onto the before grid, says so, and records how in summary.json', async () => {
    const out = join(work, 'detect-reproject');
    const run = shoutu(['detect', '--before', fixture('reproject', 'gk.tif'), '--after', fixture('reproject', 'utm-change.tif'), '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('utm-change.tif: on another grid, resampled onto the grid of');
    expect(run.stdout).toContain('it covers 57600 of the 57600 pixels of that grid');
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { epsg: number; resampled?: { after: { grid: string; bands: string } } };
    expect(summary.epsg).toBe(4549);
    expect(summary.resampled?.after).toMatchObject({ grid: 'before', bands: 'bilinear' });
  }, 60_000);

  it('reads an after file on the same lattice with another extent at its offset, says so, and records it in summary.json', async () => {
    // the Taizhou after scene without its first 20 columns and 10 rows
    const source = await openGeoTiff({ path: fixture('taizhou', '2003-02-06', 'scene.tif') }, 'after');
    const { width, height, bands, geoTransform } = source.info;
    const planes = (await source.readWindowNative(20, 10, width - 20, height - 10)) as Uint8Array;
    await source.close();
    const after = join(work, 'after-crop.tif');
    await writeFile(after, encodeMultiBandGeoTiff({ width: width - 20, height: height - 10, bands, planes, originX: geoTransform[0] + 20 * geoTransform[1], originY: geoTransform[3] + 10 * geoTransform[5], pixelSize: geoTransform[1], epsg: 32651, nodata: 0 }));
    const out = join(work, 'detect-shifted');
    const run = shoutu(['detect', '--before', fixture('taizhou', '2000-03-17', 'scene.tif'), '--after', after, '--out', out, '--bands', 'blue,green,red,nir,swir16,swir22']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`after-crop.tif: on the pixel lattice of ${fixture('taizhou', '2000-03-17', 'scene.tif')}, offset by 20 columns and 10 rows; it covers ${(width - 20) * (height - 10)} of the ${width * height} pixels of that grid`);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { resampled?: unknown; shifted?: { after: unknown } };
    expect(summary.resampled).toBeUndefined();
    expect(summary.shifted?.after).toEqual({ grid: 'before', offset: [20, 10], coveredPixels: (width - 20) * (height - 10) });
  }, 60_000);

  it('names a file that is not a GeoTIFF', () => {
    const run = shoutu(['detect', '--before', fixture('bad', 'not-geotiff', 'scene.tif'), '--after', fixture('taizhou', '2003-02-06', 'scene.tif'), '--out', join(work, 'y')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not-geotiff/scene.tif');
  });
});

describe('npx shoutu ingest: progress and report', () => {
  it('reports files read, tiles per scene, ground area and each rejected file with its reason; progress goes to stderr', async () => {
    const data = join(work, 'report');
    const env = { SHOUTU_DATA_DIR: data };
    expect(shoutu(['ingest', fixture('taizhou', '2000-03-17')], env).status).toBe(0);
    const run = shoutu(['ingest', fixture('bad', 'mixed')], env);
    expect(run.status).toBe(0);
    const report = run.stdout.slice(0, run.stdout.indexOf('  alerts (图斑)'));
    expect(report).toBe(
      [
        'batch bad-mixed: 1 scene(s) accepted, 1 rejected, 1 tile(s) queued (2 file(s) read, 0.03 MB)',
        '  accepted    scene           tiles  queued   km²',
        '    good.tif  bad-mixed.good      1       1  3.68',
        '  layers checked  none: no farmland or red-line layer applies to this county',
        '  rejected',
        '    broken.tif  not_geotiff: broken.tif: not a TIFF file (bad byte-order mark)',
        '  area covered  3.68 km² (true ground area of the accepted scenes; overlaps on one grid counted once)',
        '  examined (usable in both epochs; the rest — nodata, fill, cloud, shadow, masked — was not looked at)',
        '    good.tif against taizhou-2000-03.scene, 1 tile(s): 5522.36 of 5522.36 亩 (100.0 %)',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toMatch(/alerts \(图斑\)\s+\d+/);
    // the progress bar: on stderr only (a line every 2 s and a last one when not a terminal)
    expect(run.stderr).toMatch(/files read 2\/2 \| 0\.0 MB at \d+\.\d MB\/s \| tiles queued 1/);
    expect(run.stderr).toMatch(/1\/1 tiles/);
    expect(run.stdout).not.toMatch(/MB\/s/);

    const first = shoutu(['ingest', fixture('taizhou', '2003-02-06')], env);
    expect(first.stdout).toContain('batch taizhou-2003-02: 1 scene(s) accepted, 0 rejected, 4 tile(s) queued (1 file(s) read, 0.96 MB)');
    expect(first.stdout).toMatch(/ {4}scene\.tif {2}taizhou-2003-02\.scene {6}4 {7}4 {2}143\.82\n/);
    expect(first.stdout).toContain('  area covered  143.82 km²');
  }, 180_000);
});

describe('npx shoutu ingest from an S3 prefix', () => {
  it('reads the batch from the bucket and stores its results there (embedded stages, S3 storage)', async () => {
    const s3 = await startS3Server();
    try {
      const store = createStore({ kind: 's3', ...s3.config });
      for (const name of ['batch.json', 'scene.tif']) {
        await store.put(`incoming/2000/${name}`, new Uint8Array(await readFile(fixture('taizhou', '2000-03-17', name))));
      }
      const env = { S3_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.config.accessKeyId!, AWS_SECRET_ACCESS_KEY: s3.config.secretAccessKey! };
      const run = shoutu(['ingest', `s3://${s3.bucket}/incoming/2000/`], env);
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('batch taizhou-2000-03: 1 scene(s) accepted');
      const status = JSON.parse(Buffer.from(await store.get('batches/taizhou-2000-03/status.json')).toString('utf8')) as { state: string };
      expect(status.state).toBe('baseline');
      expect(await store.exists('catalog/scenes/taizhou-2000-03.scene.stac.json')).toBe(true);
      const wrongBucket = shoutu(['ingest', 's3://other-bucket/incoming/2000/'], env);
      expect(wrongBucket.status).toBe(2);
      expect(wrongBucket.stderr).toContain('other-bucket');
    } finally {
      await s3.close();
    }
  }, 60_000);

  it('reads a batch from any bucket with the S3 settings of the environment, storing into the local data directory', async () => {
    const s3 = await startS3Server();
    try {
      const imagery = { ...s3.config, bucket: `imagery-${s3.bucket.slice(-8)}` };
      await ensureBucket(imagery);
      const bucket = createStore({ kind: 's3', ...imagery });
      for (const name of ['batch.json', 'scene.tif']) {
        await bucket.put(`deliveries/taizhou/2003-02-06/${name}`, new Uint8Array(await readFile(fixture('taizhou', '2003-02-06', name))));
      }
      const data = join(work, 's3-batch');
      const env = { SHOUTU_DATA_DIR: data, S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.config.accessKeyId!, AWS_SECRET_ACCESS_KEY: s3.config.secretAccessKey! };
      const run = shoutu(['ingest', `s3://${imagery.bucket}/deliveries/taizhou/2003-02-06`], env);
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('batch taizhou-2003-02: 1 scene(s) accepted, 0 rejected, 0 tile(s) queued (1 file(s) read, 0.96 MB)');
      const stored = await readFile(join(data, 'batches', 'taizhou-2003-02', 'files', 'scene.tif'));
      expect(stored.equals(await readFile(fixture('taizhou', '2003-02-06', 'scene.tif')))).toBe(true);

      const missing = shoutu(['ingest', `s3://no-such-bucket-${s3.bucket.slice(-8)}/x/`], env);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('no-such-bucket');
    } finally {
      await s3.close();
    }
  }, 60_000);
});

describe('npx shoutu approvals', () => {
  it('sets the deployment-wide layer and a region\'s, withdraws the region\'s, and names bad arguments', async () => {
    const data = join(work, 'approvals-data');
    const layer = join(work, 'approvals.geojson');
    const square = [[[119.9, 32.4], [119.91, 32.4], [119.91, 32.41], [119.9, 32.41], [119.9, 32.4]]];
    await writeFile(layer, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { number: '泰政地〔2024〕9号', kind: 'land_conversion', validFrom: '2024-01-01' }, geometry: { type: 'Polygon', coordinates: square } }] }));
    const env = { SHOUTU_DATA_DIR: data };
    expect(shoutu(['approvals', layer], env).stdout).toMatch(/^approvals: .* \(1 approval\(s\), sha256 [0-9a-f]{64}\)/);
    const regional = shoutu(['approvals', layer, '--region', '321200'], env);
    expect(regional.status).toBe(0);
    expect(regional.stdout).toContain('approvals of 321200:');
    const store = createStore({ kind: 'local', dir: data });
    expect(JSON.parse(Buffer.from(await store.get('approvals/regions/321200.json')).toString('utf8'))).toMatchObject({ region: '321200', approvals: 1 });
    expect(shoutu(['approvals', '--region', '321200', '--clear'], env).stdout).toContain('withdrawn');
    expect(await store.exists('approvals/regions/321200.json')).toBe(false);
    expect(await store.exists('approvals/current.json')).toBe(true);
    const badRegion = shoutu(['approvals', layer, '--region', '3212'], env);
    expect(badRegion.status).toBe(2);
    expect(badRegion.stderr).toContain('--region');
    const noFile = shoutu(['approvals', '--region', '321200'], env);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('usage: shoutu approvals');
  });
});

describe('CLI configuration errors', () => {
  it('a worker without REDIS_URL fails fast naming the variable', () => {
    const run = shoutu(['worker', 'detect']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('REDIS_URL is not set');
  });
  it('an unknown command prints the usage, exit 2', () => {
    const run = shoutu(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Usage: npx shoutu');
  });
  it('an operand or option a command does not take is a usage error naming the command, exit 2, no stack trace', () => {
    const operand = shoutu(['detect', 'before.tif', 'after.tif']);
    expect(operand.status).toBe(2);
    expect(operand.stderr).toMatch(/^shoutu detect: Unexpected argument 'before\.tif'/);
    expect(operand.stderr).toContain('npx shoutu detect --help');
    expect(operand.stderr).not.toMatch(/\n\s+at /);
    const option = shoutu(['scenes', '--bogus']);
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/^shoutu scenes: Unknown option '--bogus'/);
  });
  it('<command> --help prints that command\'s usage alone, exit 0; after -- it is an operand', () => {
    for (const flag of ['--help', '-h']) {
      const run = shoutu(['detect', '--before', 'x.tif', flag]);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('detect --before A.tif --after B.tif --out DIR');
      expect(run.stdout).toContain('--after-bands');
      expect(run.stdout).not.toContain('ingest DIR');
    }
    const usage = shoutu(['detect', '--help']).stdout;
    for (const option of Object.keys(DETECT_OPTIONS)) expect(usage, `--${option}`).toMatch(new RegExp(`--${option}\\b`));
    const operand = shoutu(['detect', '--', '--help']);
    expect(operand.status).toBe(2);
    expect(operand.stderr).toContain("Unexpected argument '--help'");
  });
  it('a batch folder that cannot be read is named once', () => {
    const run = shoutu(['ingest', join(work, 'no-such-batch')], { SHOUTU_DATA_DIR: join(work, 'data-missing') });
    expect(run.status).toBe(2);
    expect(run.stderr.split(join(work, 'no-such-batch')).length - 1).toBe(2); // the message and the ENOENT text
    expect(run.stderr).toMatch(/^shoutu: \S+no-such-batch: cannot read the batch folder/);
  });
});
