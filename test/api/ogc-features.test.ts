/**
 * The alert API as GIS clients and county teams meet it: OGC API – Features over the demo's alerts,
 * opened by GDAL's OAPIF driver, paged, filtered, and scoped by team tokens.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { collectAlerts, createStore, createWebhookEndpoint, directorySource, generateToken, getWebhookEndpoint, runBatch, tokenDigest, TokenRegistry, type AlertFeature, type BlobStore } from '@shoutu/shared';
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
  scoped = buildApiServer({ source: storedAlerts(store), registry, store });
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

describe('exports', () => {
  const download = async (query: string, token = tokens.county) => {
    const response = await fetch(`${scopedUrl}/collections/alerts/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), bytes: new Uint8Array(await response.arrayBuffer()) };
  };

  it('Shapefile opens in GDAL as WGS84 with Chinese attributes and the API’s areas', async () => {
    const shp = await download('format=shp');
    expect(shp.status).toBe(200);
    expect(shp.disposition).toBe('attachment; filename="tuban-2003-02-06.zip"');
    const path = join(dir, 'export.zip');
    await writeFile(path, shp.bytes);
    const read = spawnSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${path}/tuban-2003-02-06.shp`], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    const features = (JSON.parse(read.stdout) as { features: { properties: Record<string, string | number> }[] }).features;
    expect(features.map((f) => f.properties.TBBH)).toEqual(alerts.map((a) => a.id));
    features.forEach((f, i) => {
      expect(Math.abs((f.properties.MJ_MU as number) - alerts[i]!.properties.areaMu)).toBeLessThanOrEqual(0.01);
      expect(Math.abs((f.properties.JBNT_MU as number) - alerts[i]!.properties.overlap.farmland.areaMu)).toBeLessThanOrEqual(0.01);
    });
    const info = spawnSync('ogrinfo', ['-so', '-al', `/vsizip/${path}/tuban-2003-02-06.shp`], { encoding: 'utf8' });
    expect(info.stdout).toMatch(/GEOGCRS\["WGS 84"/);
  });

  it('CSV starts with a BOM and carries Chinese headers; filters and scope apply', async () => {
    const csv = await download('format=csv&severity=critical');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(csv.bytes.subarray(3)).trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('图斑编号,行政区划代码,')).toBe(true);
    expect(lines).toHaveLength(1 + alerts.filter((a) => a.properties.severity === 'critical').length);
    const other = await download('format=csv', tokens.otherCounty);
    expect(new TextDecoder().decode(other.bytes.subarray(3)).trimEnd().split('\r\n')).toHaveLength(1);
    expect((await download('format=docx')).status).toBe(400);
  });

  it('KML and GeoJSON hold the same set', async () => {
    const kml = new TextDecoder().decode((await download('format=kml&lang=en')).bytes);
    expect(kml.match(/<Placemark>/g)).toHaveLength(alerts.length);
    const geojson = JSON.parse(new TextDecoder().decode((await download('format=geojson')).bytes)) as { features: { id: string }[] };
    expect(geojson.features.map((f) => f.id)).toEqual(alerts.map((a) => a.id));
  });
});

describe('webhook subscriptions', () => {
  const post = (token: string, body: unknown) =>
    fetch(`${scopedUrl}/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('an enforcer registers an endpoint in its scope and gets its secret once', async () => {
    const created = await post(tokens.city, { url: 'https://example.org/hooks/shoutu', regions: ['321202', '321203'] });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string; secret: string; enabled: boolean };
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = (await (await fetch(`${scopedUrl}/webhooks`, { headers: { authorization: `Bearer ${tokens.city}` } })).json()) as { endpoints: Record<string, unknown>[] };
    expect(listed.endpoints.map((e) => e.id)).toEqual([endpoint.id]);
    expect(listed.endpoints[0]).not.toHaveProperty('secret');
    // Another team neither sees nor deletes it.
    expect(((await (await fetch(`${scopedUrl}/webhooks`, { headers: { authorization: `Bearer ${tokens.county}` } })).json()) as { endpoints: unknown[] }).endpoints).toEqual([]);
    expect((await fetch(`${scopedUrl}/webhooks/${endpoint.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.county}` } })).status).toBe(404);
    expect((await fetch(`${scopedUrl}/webhooks/${endpoint.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${tokens.city}` } })).status).toBe(204);
  });

  it('refuses regions outside the token, auditors, and bad bodies', async () => {
    const outside = await post(tokens.county, { url: 'https://example.org/h', regions: ['321200'] });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { description: string }).description).toMatch(/321200/);
    expect((await post(tokens.otherCounty, { url: 'https://example.org/h', regions: ['321203'] })).status).toBe(403); // auditor
    const bad = await post(tokens.county, { url: 'ftp://example.org/h', regions: ['321202'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { description: string }).description).toMatch(/body url/);
  });
});

/**
 * `shoutu serve` as a child process (no Redis, PORT 0, loopback) with `env` added: its API address, what it
 * logged, a wait for a log line written after stdout offset `from`, and stop() (SIGTERM; its exit code).
 */
async function startServe(env: Record<string, string>) {
  const { REDIS_URL: _noRedis, SHOUTU_TOKENS_FILE: _noTokens, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'serve'], { env: { ...inherited, PORT: '0', HOST: '127.0.0.1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => ((exited = true), resolve(code))));
  const until = async (pattern: RegExp, from = 0) => {
    for (const t = Date.now(); !pattern.test(stdout.slice(from)); await new Promise((r) => setTimeout(r, 25))) {
      if (exited) throw new Error(`serve exited: ${stderr}`);
      if (Date.now() - t > 20_000) throw new Error(`serve never logged ${pattern}: ${stdout}`);
    }
  };
  try {
    await until(/shoutu API on (\S+) /);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    base: /shoutu API on (\S+) /.exec(stdout)![1]!,
    logged: () => stdout.length,
    until,
    signal: (name: NodeJS.Signals) => child.kill(name),
    stop: async () => {
      child.kill('SIGTERM');
      return closed;
    },
  };
}

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

  it("narrows a team's webhook endpoints to the scope its tokens now have when it starts", async () => {
    const data = join(dir, 'serve-narrow');
    const store = createStore({ kind: 'local', dir: data });
    const endpoint = await createWebhookEndpoint(store, { url: 'https://taizhou.example.org/hook', team: '泰州市执法支队', regions: ['321200'] });
    // the team's token now covers one county of the city
    const file = join(dir, 'tokens-narrowed.json');
    await writeFile(file, JSON.stringify({ tokens: [{ team: '泰州市执法支队', tokenSha256: tokenDigest(generateToken()), roles: ['enforcer'], regions: ['321202'] }] }));
    const serve = await startServe({ SHOUTU_TOKENS_FILE: file, SHOUTU_DATA_DIR: data });
    await serve.stop();
    expect(await getWebhookEndpoint(store, endpoint.id)).toEqual({ ...endpoint, regions: ['321202'] });
  }, 30_000);

  it('reloads the tokens file on SIGHUP: a revoked token is refused, a malformed file changes nothing, endpoints follow', async () => {
    const data = join(dir, 'serve-reload');
    const store = createStore({ kind: 'local', dir: data });
    const endpoint = await createWebhookEndpoint(store, { url: 'https://taizhou.example.org/hook', team: '泰州市执法支队', regions: ['321200'] });
    const oldToken = generateToken();
    const newToken = generateToken();
    const entry = (token: string, regions: string[]) => ({ team: '泰州市执法支队', tokenSha256: tokenDigest(token), roles: ['enforcer'], regions });
    const file = join(dir, 'tokens-reload.json');
    await writeFile(file, JSON.stringify({ tokens: [entry(oldToken, ['321200'])] }));
    const serve = await startServe({ SHOUTU_TOKENS_FILE: file, SHOUTU_DATA_DIR: data, LOG_LEVEL: 'info' });
    try {
      const { base, until } = serve;
      const status = async (token: string) => (await fetch(`${base}/collections/alerts/items`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await status(oldToken)).toBe(200);
      expect(await status(newToken)).toBe(401);

      // the old token revoked, a new one for one county of the city
      await writeFile(file, JSON.stringify({ tokens: [entry(newToken, ['321202'])] }));
      let mark = serve.logged();
      serve.signal('SIGHUP');
      await until(/tokens reloaded/, mark);
      expect(await status(oldToken)).toBe(401);
      expect(await status(newToken)).toBe(200);
      await until(/webhook endpoint .* narrowed/, mark);
      expect(await getWebhookEndpoint(store, endpoint.id)).toEqual({ ...endpoint, regions: ['321202'] });

      // a half-written file leaves the tokens in force as they were
      await writeFile(file, '{"tokens": [');
      mark = serve.logged();
      serve.signal('SIGHUP');
      await until(/tokens not reloaded, the previous ones stay in force: .*tokens-reload\.json: not JSON/, mark);
      expect(await status(newToken)).toBe(200);
      expect(await status(oldToken)).toBe(401);
    } finally {
      await serve.stop();
    }
  }, 60_000);

  it('goes on serving after SIGHUP when there is no tokens file to read again', async () => {
    const serve = await startServe({ SHOUTU_DATA_DIR: join(dir, 'serve-hup') });
    let code: number | null = null;
    try {
      serve.signal('SIGHUP');
      await serve.until(/SIGHUP: no SHOUTU_TOKENS_FILE to read again/);
      expect((await fetch(`${serve.base}/collections/alerts/items`)).status).toBe(200);
    } finally {
      code = await serve.stop();
    }
    expect(code).toBe(0);
  }, 60_000);

  it('names the tokens file and the bad field when the registry is malformed', async () => {
    const file = join(dir, 'tokens.json');
    await writeFile(file, JSON.stringify({ tokens: [{ team: 't', tokenSha256: 'plain-token', roles: ['auditor'], regions: ['320000'] }] }));
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'serve'], { env: { ...process.env, SHOUTU_TOKENS_FILE: file, PORT: '0' }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/SHOUTU_TOKENS_FILE: .*tokens\.json: tokens\.0\.tokenSha256: must be the lower-case hex SHA-256/);
  });
});
