/**
 * The alert API as GIS clients and county teams meet it: OGC API – Features over the demo's alerts,
 * opened by GDAL's OAPIF driver, paged, filtered, and scoped by team tokens.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { collectAlerts, createStore, directorySource, generateToken, runBatch, tokenDigest, TokenRegistry, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { buildApiServer, storedAlerts } from '@shoutu/alert';
import { demoParameters, loadDemoMasks, REPO_ROOT, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;
let alerts: AlertFeature[];
let open: FastifyInstance;
let openUrl: string;
let scoped: FastifyInstance;
let scopedUrl: string;

const tokens = { city: generateToken(), county: generateToken(), otherCounty: generateToken(), operator: generateToken() };
const registry = new TokenRegistry([
  { team: '泰州市', tokenSha256: tokenDigest(tokens.city), roles: ['enforcer'], regions: ['321200'] },
  { team: '海陵区', tokenSha256: tokenDigest(tokens.county), roles: ['enforcer'], regions: ['321202'] },
  { team: '高港区', tokenSha256: tokenDigest(tokens.otherCounty), roles: ['auditor'], regions: ['321203'] },
  { team: '数据组', tokenSha256: tokenDigest(tokens.operator), roles: ['operator'], regions: ['321202'] },
]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-api-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(store, directorySource(epoch), demoParameters());
  alerts = await collectAlerts(store);
  open = buildApiServer({ source: storedAlerts(store), registry: null });
  openUrl = await open.listen({ port: 0, host: '127.0.0.1' });
  scoped = buildApiServer({ source: storedAlerts(store), registry });
  scopedUrl = await scoped.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.close(), scoped?.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function getJson(url: string, token?: string): Promise<{ status: number; type: string | null; body: any }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

const hasGdal = spawnSync('ogrinfo', ['--version']).status === 0;
function ogrinfo(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  if (!hasGdal) throw new Error('GDAL command-line tools are required for this check: apt-get install -y gdal-bin');
  // Asynchronous: the API answers from this same process.
  return new Promise((resolve) => {
    const child = spawn('ogrinfo', args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('OGC API – Features: Core', () => {
  it('has a landing page, conformance and the alerts collection with its extent', async () => {
    const landing = await getJson(`${openUrl}/`);
    expect(landing.status).toBe(200);
    expect(landing.body.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'conformance', 'data']);
    const conformance = await getJson(`${openUrl}/conformance`);
    expect(conformance.body.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core');
    expect(conformance.body.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson');
    const collections = await getJson(`${openUrl}/collections`);
    const alertsCollection = collections.body.collections[0];
    expect(alertsCollection.id).toBe('alerts');
    expect(alertsCollection.links.find((l: { rel: string }) => l.rel === 'items').type).toBe('application/geo+json');
    const [west, south, east, north] = alertsCollection.extent.spatial.bbox[0];
    expect(west).toBeGreaterThan(119.8);
    expect(east).toBeLessThan(120.0);
    expect(south).toBeGreaterThan(32.4);
    expect(north).toBeLessThan(32.6);
    expect(alertsCollection.extent.temporal.interval).toEqual([['2003-02-06', '2003-02-06']]);
  });

  it('pages through every alert with next links, in 图斑编号 order, each once', async () => {
    expect(alerts.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let url: string | undefined = `${openUrl}/collections/alerts/items?limit=10`;
    let pages = 0;
    while (url) {
      const page = await getJson(url);
      expect(page.status).toBe(200);
      expect(page.type).toMatch(/^application\/geo\+json/);
      expect(page.body.numberMatched).toBe(alerts.length);
      expect(page.body.numberReturned).toBe(page.body.features.length);
      seen.push(...page.body.features.map((f: { id: string }) => f.id));
      url = page.body.links.find((l: { rel: string }) => l.rel === 'next')?.href;
      pages++;
    }
    expect(pages).toBe(Math.ceil(alerts.length / 10));
    expect(seen).toEqual(alerts.map((a) => a.id));
  });

  it('gives flat attributes and the same geometry as the stored alert', async () => {
    const first = alerts[0]!;
    const item = await getJson(`${openUrl}/collections/alerts/items/${first.id}`);
    expect(item.status).toBe(200);
    expect(item.body.geometry).toEqual(first.geometry);
    expect(item.body.properties.tubanId).toBe(first.id);
    expect(item.body.properties.areaMu).toBe(first.properties.areaMu);
    expect(item.body.properties.overlap_farmland_areaMu).toBe(first.properties.overlap.farmland.areaMu);
    expect(item.body.properties.centroid_lon).toBe(first.properties.centroid[0]);
    expect((await getJson(`${openUrl}/collections/alerts/items/321202-nope`)).status).toBe(404);
  });

  it('filters by bbox, datetime and severity', async () => {
    const target = alerts[3]!;
    const [w, s, e, n] = target.bbox;
    const inBox = await getJson(`${openUrl}/collections/alerts/items?bbox=${w},${s},${e},${n}&limit=1000`);
    expect(inBox.body.features.map((f: { id: string }) => f.id)).toContain(target.id);
    expect(inBox.body.numberMatched).toBeLessThan(alerts.length);
    expect((await getJson(`${openUrl}/collections/alerts/items?datetime=2003-01-01/2003-03-01`)).body.numberMatched).toBe(alerts.length);
    expect((await getJson(`${openUrl}/collections/alerts/items?datetime=../2002-12-31`)).body.numberMatched).toBe(0);
    const critical = alerts.filter((a) => a.properties.severity === 'critical').length;
    expect((await getJson(`${openUrl}/collections/alerts/items?severity=critical`)).body.numberMatched).toBe(critical);
  });

  it('refuses bad parameters with 400 naming the parameter', async () => {
    const bad = await getJson(`${openUrl}/collections/alerts/items?bbox=1,2,3`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'InvalidParameterValue', description: expect.stringContaining('bbox') });
    expect((await getJson(`${openUrl}/collections/alerts/items?limit=0`)).body.description).toMatch(/limit/);
    expect((await getJson(`${openUrl}/collections/alerts/items?severity=extreme`)).body.description).toMatch(/severity/);
    expect((await getJson(`${openUrl}/collections/alerts/items?colour=red`)).body.description).toMatch(/unknown query parameter "colour"/);
  });

  it('opens in GDAL (ogrinfo OAPIF:) with the alerts and their attributes', async () => {
    const info = await ogrinfo(['-so', `OAPIF:${openUrl}/`, 'alerts']);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`Feature Count: ${alerts.length}\\b`));
    for (const field of ['tubanId', 'areaMu', 'severity', 'overlap_farmland_areaMu', 'afterDate']) expect(info.stdout).toMatch(new RegExp(`^${field}: `, 'm'));
  }, 60_000);
});

describe('team tokens and region scope', () => {
  const items = (token?: string, query = 'limit=1000') => getJson(`${scopedUrl}/collections/alerts/items?${query}`, token);

  it('needs a token: 401 with a Bearer challenge', async () => {
    const response = await fetch(`${scopedUrl}/collections/alerts/items`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect((await items(generateToken())).status).toBe(401);
  });

  it('a city token covers its counties; another county sees none of them', async () => {
    expect((await items(tokens.city)).body.numberMatched).toBe(alerts.length);
    expect((await items(tokens.county)).body.numberMatched).toBe(alerts.length); // every demo alert is in 321202
    const other = await items(tokens.otherCounty);
    expect(other.status).toBe(200);
    expect(other.body.numberMatched).toBe(0);
    expect((await getJson(`${scopedUrl}/collections/alerts/items/${alerts[0]!.id}`, tokens.otherCounty)).status).toBe(404);
    expect((await getJson(`${scopedUrl}/collections/alerts`, tokens.otherCounty)).body.extent.temporal.interval).toEqual([[null, null]]);
  });

  it('GDAL reads the scoped feed with a bearer header', async () => {
    const info = await ogrinfo(['-so', `OAPIF:${scopedUrl}/`, 'alerts'], { GDAL_HTTP_HEADERS: `Authorization: Bearer ${tokens.county}` });
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`Feature Count: ${alerts.length}\\b`));
  }, 60_000);
});

describe('npx shoutu serve', () => {
  it('refuses to listen beyond loopback without team tokens, naming SHOUTU_TOKENS_FILE', () => {
    const { SHOUTU_TOKENS_FILE: _unset, ...env } = process.env;
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'serve'], {
      env: { ...env, HOST: '0.0.0.0', SHOUTU_DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/SHOUTU_TOKENS_FILE is not set: without team tokens the API only listens on loopback, not HOST=0\.0\.0\.0/);
  });
});
