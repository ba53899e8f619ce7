/**
 * Layers delivered as zip archives, as county land data travels: one shapefile (names in GBK from Chinese
 * Windows, or UTF-8; extensions in either case; macOS metadata beside it) or one GeoJSON file, read as the
 * same layer unzipped; archives of no layer, of two, without a .prj, encrypted, swollen past the cap, lying
 * about their sizes or damaged at random are refused naming the archive and the entry. `shoutu masks`,
 * `shoutu approvals` (with the county's own field names mapped) and `PUT /approvals/{region}` take them.
 * The archives are written by Python's zipfile, the shapefiles by GDAL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createStore, generateToken, layerOfBytes, parseApprovalLayer, readLayerFile, tokenDigest, TokenRegistry, type BlobStore } from '@shoutu/shared';
import { buildApiServer } from '@shoutu/alert';
import { fixture } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';
import { runGdalScript } from '../support/gdal.js';
import { countOutcomes, refusalOf } from '../support/refusals.js';
import { writeCountyRegister, writeShapefile, writeZip, type ZipEntrySpec } from '../support/shapefiles.js';

let dir: string;
/** The farmland demo layer as a shapefile with GBK attributes: its .shp path. */
let farmland: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-zip-'));
  farmland = join(dir, 'farmland.shp');
  writeShapefile(fixture('masks', 'farmland.geojson'), farmland, 'EPSG:4549', 'CP936');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The parts of the farmland shapefile as zip entries named `folder/stem.ext` (`ext` cased by `upper`). */
const parts = (folder: string, stem: string, options: { gbk?: boolean; upper?: boolean; without?: string[] } = {}): ZipEntrySpec[] =>
  ['shp', 'shx', 'dbf', 'prj', 'cpg']
    .filter((ext) => !options.without?.includes(ext))
    .map((ext) => ({ name: `${folder}${stem}.${options.upper ? ext.toUpperCase() : ext}`, path: farmland.replace(/shp$/, ext), gbk: options.gbk }));

const zipOf = (name: string, entries: ZipEntrySpec[]) => {
  const out = join(dir, name);
  writeZip(out, entries);
  return out;
};

describe('layers in zip archives', () => {
  it('reads the one shapefile of an archive as the shapefile itself reads: GBK or UTF-8 names, any folder, extensions in capitals, macOS metadata beside it', async () => {
    const unzipped = await readLayerFile(farmland);
    expect(unzipped.shapefileEpsg).toBe(4549);
    const gbk = zipOf('农田.zip', [
      ...parts('永久基本农田/', '永久基本农田', { gbk: true }),
      { name: '__MACOSX/永久基本农田/._永久基本农田.shp', text: 'resource fork', gbk: true },
      { name: '永久基本农田/说明.txt', text: '2025 年更新', gbk: true },
    ]);
    const fromGbk = await readLayerFile(gbk);
    expect(Buffer.from(fromGbk.bytes).equals(Buffer.from(unzipped.bytes))).toBe(true);
    expect(fromGbk.shapefileEpsg).toBe(4549);
    expect(fromGbk.archiveEntry).toBe(`${gbk}:永久基本农田/永久基本农田.shp`);
    // the GBK names were written without the UTF-8 flag, as Chinese Windows writes them
    const raw = readFileSync(gbk);
    expect(raw.includes(Buffer.from([0xd3, 0xc0, 0xbe, 0xc3]))).toBe(true); // 永久 in GBK
    expect(raw.includes(Buffer.from('永久', 'utf8'))).toBe(false);

    // UTF-8 names (flagged), extensions in capitals, and a name that does not end in .zip: read by its bytes
    const upper = zipOf('parcels.dat', parts('', '农田图层', { upper: true }));
    const fromUpper = await readLayerFile(upper);
    expect(Buffer.from(fromUpper.bytes).equals(Buffer.from(unzipped.bytes))).toBe(true);
    expect(fromUpper.archiveEntry).toBe(`${upper}:农田图层.SHP`);
  });

  it('reads a GeoJSON layer from an archive byte for byte', async () => {
    const geojson = fixture('masks', 'redline.geojson');
    const zip = zipOf('redline.zip', [{ name: 'data/redline.geojson', path: geojson }]);
    const file = await readLayerFile(zip);
    expect(Buffer.from(file.bytes).equals(readFileSync(geojson))).toBe(true);
    expect(file.archiveEntry).toBe(`${zip}:data/redline.geojson`);
    expect(file.shapefileEpsg).toBeUndefined();
  });

  it('refuses an archive of no layer, of two layers, or of a shapefile without its .prj, naming what it holds', async () => {
    const none = await refusalOf(readLayerFile(zipOf('none.zip', [{ name: 'readme.txt', text: 'x' }, { name: 'farmland.dbf', path: farmland.replace(/shp$/, 'dbf') }])), 'layer_archive_invalid', { field: 'archive' });
    expect(none.message).toMatch(/none\.zip: holds no layer: .* it holds readme\.txt, farmland\.dbf$/);
    const two = await refusalOf(readLayerFile(zipOf('two.zip', [...parts('a/', 'farmland'), ...parts('b/', 'farmland')])), 'layer_archive_invalid', { field: 'archive' });
    expect(two.message).toContain('holds 2 layers (a/farmland.shp, b/farmland.shp): name the one to read (ARCHIVE.zip:a/farmland.shp');
    const noPrj = zipOf('noprj.zip', parts('', 'farmland', { without: ['prj'] }));
    const refused = await refusalOf(readLayerFile(noPrj), 'crs_unknown', { field: 'prj', file: `${noPrj}:farmland.shp` });
    expect(refused.message).toContain('no farmland.prj in the archive beside farmland.shp');
    expect((await refusalOf(readLayerFile(zipOf('empty.zip', [])), 'layer_archive_invalid')).message).toContain('holds nothing');
  });

  it('reads one layer of an archive of several, named ARCHIVE.zip:ENTRY (its path, or its file name when unique)', async () => {
    const county = zipOf('county.zip', [...parts('数据/', '永久基本农田', { gbk: true }), { name: '数据/生态保护红线.geojson', path: fixture('masks', 'redline.geojson'), gbk: true }, ...parts('旧/', '永久基本农田', { gbk: true })]);
    const farmlandBytes = (await readLayerFile(farmland)).bytes;
    const byPath = await readLayerFile(`${county}:数据/永久基本农田.shp`);
    expect(Buffer.from(byPath.bytes).equals(Buffer.from(farmlandBytes))).toBe(true);
    expect(byPath.archiveEntry).toBe(`${county}:数据/永久基本农田.shp`);
    expect(byPath.name).toBe(`${county}:数据/永久基本农田.shp`);
    const redline = await readLayerFile(`${county}:生态保护红线.geojson`);
    expect(Buffer.from(redline.bytes).equals(readFileSync(fixture('masks', 'redline.geojson')))).toBe(true);
    const ambiguous = await refusalOf(readLayerFile(`${county}:永久基本农田.shp`), 'layer_archive_invalid', { field: 'entry' });
    expect(ambiguous.message).toBe(`${county}: holds 2 layers named 永久基本农田.shp (数据/永久基本农田.shp, 旧/永久基本农田.shp): give its folder too; its layers are 数据/永久基本农田.shp, 数据/生态保护红线.geojson, 旧/永久基本农田.shp`);
    expect((await refusalOf(readLayerFile(`${county}:红线.shp`), 'layer_archive_invalid', { field: 'entry' })).message).toContain('holds no layer 红线.shp; its layers are');
    // a file that is not an archive has no entries
    expect((await refusalOf(layerOfBytes(readFileSync(fixture('masks', 'redline.geojson')), 'redline.geojson', undefined, 'x.shp'), 'layer_archive_invalid', { field: 'entry' })).message).toBe('redline.geojson: not a zip archive, so it holds no entry x.shp');
    // the CLI takes the same syntax
    const cli = runShoutu(['masks', '--farmland', `${county}:数据/永久基本农田.shp`, '--redline', `${county}:生态保护红线.geojson`], { SHOUTU_DATA_DIR: join(dir, 'entry-store') });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`redline: ${county}:生态保护红线.geojson (${county}:数据/生态保护红线.geojson)`);
  });

  it('refuses encrypted entries, entries over the cap before inflating them, and entries that inflate to more than they declare', async () => {
    const zip = readFileSync(zipOf('plain.zip', parts('', 'farmland')));
    // the encryption bit of every entry, in its local header and in the central directory
    const encrypted = Buffer.from(zip);
    for (const [signature, flagAt] of [[0x04034b50, 6], [0x02014b50, 8]] as const) {
      for (let at = encrypted.indexOf(Buffer.from(new Uint32Array([signature]).buffer)); at >= 0; at = encrypted.indexOf(Buffer.from(new Uint32Array([signature]).buffer), at + 4)) {
        encrypted[at + flagAt]! |= 1;
      }
    }
    expect((await refusalOf(layerOfBytes(encrypted, 'locked.zip'), 'layer_archive_invalid', { field: 'farmland.shp' })).message).toContain('farmland.shp is encrypted');

    const shpBytes = readFileSync(farmland).length;
    const capped = await refusalOf(layerOfBytes(zip, 'big.zip', shpBytes - 1), 'layer_archive_invalid', { field: 'farmland.shp' });
    expect(capped.message).toBe(`big.zip: farmland.shp inflates to ${shpBytes} bytes, more than the ${shpBytes - 1} a layer may take here`);
    // the cap counts every entry read: the .shp fits, the .dbf after it does not
    const dbfBytes = readFileSync(farmland.replace(/shp$/, 'dbf')).length;
    expect((await refusalOf(layerOfBytes(zip, 'big.zip', shpBytes + dbfBytes - 1), 'layer_archive_invalid', { field: 'farmland.dbf' })).message).toContain('farmland.dbf inflates to');
    expect((await layerOfBytes(zip, 'big.zip', shpBytes + dbfBytes + 2048)).shapefileEpsg).toBe(4549);

    // a .shp that declares fewer bytes than it inflates to (in both headers): stopped at the declared size
    const lying = Buffer.from(zip);
    const central = lying.indexOf(Buffer.from([0x50, 0x4b, 1, 2]));
    expect(lying.toString('latin1', central + 46, central + 46 + 12)).toBe('farmland.shp');
    const short = shpBytes - 100;
    lying.writeUInt32LE(short, central + 24);
    lying.writeUInt32LE(short, 22);
    const overran = await refusalOf(layerOfBytes(lying, 'lying.zip'), 'layer_archive_invalid', { field: 'farmland.shp' });
    expect(overran.message).toMatch(new RegExp(`^lying\\.zip: farmland\\.shp cannot be inflated \\(too many bytes in the stream\\. expected ${short}\\.`));
  });

  it('reads or refuses, naming the archive, every one of 300 randomly damaged archives', async () => {
    const zip = readFileSync(zipOf('damage.zip', parts('layer/', 'farmland')));
    const outcomes = await countOutcomes(300, 0x21b, 'damaged.zip', async (random) => {
      const damaged = Buffer.from(zip);
      const hits = 1 + Math.floor(random() * 4);
      for (let h = 0; h < hits; h++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      if (random() < 0.2) return layerOfBytes(damaged.subarray(0, Math.floor(random() * damaged.length)), 'damaged.zip');
      return layerOfBytes(damaged, 'damaged.zip');
    });
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(10);
    expect(outcomes.get('layer_archive_invalid') ?? 0).toBeGreaterThan(100);
  });
});

describe('zipped layers through the CLI and the API', () => {
  /** An approval register as a county keeps it: its own field names, Chinese kinds and written dates. */
  const register = async () => writeCountyRegister(dir).zip;
  const expected = [
    { number: '苏政地〔2024〕17号', kind: 'land_conversion', validFrom: '2024-03-01', validTo: null },
    { number: '泰临地〔2025〕3号', kind: 'temporary_use', validFrom: '2025-01-15', validTo: '2026-01-14' },
  ];
  const FIELDS = 'number=PZWH,kind=YDLX,validFrom=PZRQ,validTo=YXQZ';

  it('`shoutu masks` and `shoutu approvals` take zipped layers; approvals map the county\'s field names', async () => {
    const env = { SHOUTU_DATA_DIR: join(dir, 'cli-store') };
    const farmlandZip = zipOf('farmland.zip', parts('农田/', '农田', { gbk: true }));
    const masks = runShoutu(['masks', '--farmland', farmlandZip], env);
    expect(masks.status, masks.stderr).toBe(0);
    expect(masks.stdout).toContain(`(shapefile ${farmlandZip}:农田/农田.shp as GeoJSON, EPSG:4549 from its .prj)`);

    const zip = await register();
    const unmapped = runShoutu(['approvals', zip], env);
    expect(unmapped.status).not.toBe(0);
    expect(unmapped.stderr).toContain('features[0].properties.number');
    const misspelt = runShoutu(['approvals', zip, '--fields', 'number=PZHW'], env);
    expect(misspelt.status).not.toBe(0);
    expect(misspelt.stderr).toContain('no feature has the property PZHW (mapped to number); the layer\'s properties are PZRQ, PZWH, YDLX, YXQZ');
    const mapped = runShoutu(['approvals', zip, '--fields', FIELDS, '--region', '321202'], env);
    expect(mapped.status, mapped.stderr).toBe(0);
    expect(mapped.stdout).toContain(`approvals of 321202: ${zip} (${zip}:批文/用地批文.shp) → `);
    expect(mapped.stdout).toContain('(2 approval(s), sha256');
    const both = runShoutu(['approvals', zip, '--fields', FIELDS, '--kind', 'land_supply'], env);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toContain('--kind: the layer\'s kind is given both as --kind and as the property YDLX');
  });

  describe('PUT /approvals/{region}', () => {
    const operator = generateToken();
    let store: BlobStore;
    let app: FastifyInstance;
    let base: string;
    beforeAll(async () => {
      store = createStore({ kind: 'local', dir: join(dir, 'api-store') });
      const registry = new TokenRegistry([{ team: '海陵区数据组', tokenSha256: tokenDigest(operator), roles: ['operator'], regions: ['321202'] }]);
      app = buildApiServer({ source: { all: async () => [] }, registry, store });
      base = await app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => app?.close());
    const put = (query: string, body: Uint8Array, type = 'application/zip') =>
      fetch(`${base}/approvals/321202${query}`, { method: 'PUT', headers: { authorization: `Bearer ${operator}`, 'content-type': type }, body });

    it('takes a zipped shapefile with the field mapping in the query, and serves the GeoJSON stored', async () => {
      const zip = readFileSync(await register());
      const refused = await put('?fields=number%3DPZWH', zip);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { description: string }).description).toContain('features[0].properties.kind');
      const stored = await put(`?fields=${encodeURIComponent(FIELDS)}`, zip);
      expect(stored.status, await stored.clone().text()).toBe(200);
      expect(((await stored.json()) as { approvals: number }).approvals).toBe(2);
      const served = await fetch(`${base}/approvals/321202`, { headers: { authorization: `Bearer ${operator}` } });
      const bytes = new Uint8Array(await served.arrayBuffer());
      expect(parseApprovalLayer(bytes, 'served').approvals).toEqual(expected);
      // the county's own fields stay beside the ones shoutu reads
      expect((JSON.parse(new TextDecoder().decode(bytes)) as { features: { properties: Record<string, unknown> }[] }).features[1]!.properties).toMatchObject({ PZWH: '泰临地〔2025〕3号', PZRQ: '2025年1月15日', number: '泰临地〔2025〕3号' });
    });

    it('takes one layer of an archive of several, named by ?entry=', async () => {
      await register(); // writes register.shp and its parts
      const both = join(dir, 'both.zip');
      const shp = join(dir, 'register.shp');
      writeZip(both, [...['shp', 'shx', 'dbf', 'prj', 'cpg'].map((ext) => ({ name: `批文/用地批文.${ext}`, path: shp.replace(/shp$/, ext) })), { name: '说明/范围.geojson', path: fixture('masks', 'redline.geojson') }]);
      const refused = await put(`?fields=${encodeURIComponent(FIELDS)}`, readFileSync(both));
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { description: string }).description).toContain('body: holds 2 layers (批文/用地批文.shp, 说明/范围.geojson): name the one to read');
      const chosen = await put(`?fields=${encodeURIComponent(FIELDS)}&entry=${encodeURIComponent('用地批文.shp')}`, readFileSync(both));
      expect(chosen.status, await chosen.clone().text()).toBe(200);
      const served = new Uint8Array(await (await fetch(`${base}/approvals/321202`, { headers: { authorization: `Bearer ${operator}` } })).arrayBuffer());
      expect(parseApprovalLayer(served, 'served').approvals).toEqual(expected);
    });

    it('takes one kind for the whole layer, and refuses a body labelled zip that is not one, or that inflates past the cap', async () => {
      const zip = readFileSync(await register());
      const oneKind = await put(`?fields=${encodeURIComponent('number=PZWH,validFrom=PZRQ,validTo=YXQZ')}&kind=%E4%BE%9B%E5%9C%B0`, zip); // kind=供地
      expect(oneKind.status).toBe(200);
      const served = new Uint8Array(await (await fetch(`${base}/approvals/321202`, { headers: { authorization: `Bearer ${operator}` } })).arrayBuffer());
      expect(parseApprovalLayer(served, 'served').approvals.map((a) => a.kind)).toEqual(['land_supply', 'land_supply']);

      const notZip = await put('', new TextEncoder().encode('{"type":"FeatureCollection","features":[]}'));
      expect(notZip.status).toBe(400);
      expect(((await notZip.json()) as { description: string }).description).toBe('body: labelled application/zip but not a zip archive');

      // 300 MB of zeros in a 300 KB archive: refused from its directory, nothing inflated, the layer kept
      const bomb = join(dir, 'bomb.zip');
      runGdalScript(`import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n    with z.open('bomb.geojson', 'w', force_zip64=True) as f:\n        for _ in range(300): f.write(bytes(1 << 20))`, [bomb]);
      const bombBytes = readFileSync(bomb);
      expect(bombBytes.length).toBeLessThan(1 << 20);
      const refused = await put('', bombBytes);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { description: string }).description).toBe(`body: bomb.geojson inflates to ${300 << 20} bytes, more than the ${256 << 20} a layer may take here`);
      expect(parseApprovalLayer(new Uint8Array(await (await fetch(`${base}/approvals/321202`, { headers: { authorization: `Bearer ${operator}` } })).arrayBuffer()), 'kept').approvals).toHaveLength(2);
    });
  });
});
