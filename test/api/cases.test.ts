/**
 * The enforcement workflow over the API, on the demo's 图斑: a county team takes a case through the
 * lifecycle, history is kept as write-once objects, deadlines and the overdue list follow the
 * dispatch date, false-alarm reasons are counted, and scope and roles hold on every route.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { collectAlerts, createStore, directorySource, generateToken, runBatch, storageOnlySink, tokenDigest, TokenRegistry, withCaseOpening, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { buildApiServer, storedAlerts } from '@shoutu/alert';
import { demoParameters, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let dir: string;
let store: BlobStore;
let alerts: AlertFeature[];
let app: FastifyInstance;
let url: string;
const tokens = { county: generateToken(), other: generateToken(), auditor: generateToken() };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-cases-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  const dispatched = () => new Date('2026-11-29T03:00:00Z');
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(store, directorySource(epoch), demoParameters(), { sink: withCaseOpening(storageOnlySink, store, dispatched) });
  alerts = await collectAlerts(store);
  const registry = new TokenRegistry([
    { team: '海陵区', tokenSha256: tokenDigest(tokens.county), roles: ['enforcer'], regions: ['321202'] },
    { team: '高港区', tokenSha256: tokenDigest(tokens.other), roles: ['enforcer'], regions: ['321203'] },
    { team: '审计', tokenSha256: tokenDigest(tokens.auditor), roles: ['auditor'], regions: ['320000'] },
  ]);
  app = buildApiServer({ source: storedAlerts(store), registry, store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
};
const transition = (id: string, body: unknown, token = tokens.county) => call('POST', `/collections/alerts/items/${id}/transitions`, token, body);

describe('图斑 cases over the API', () => {
  it('every new 图斑 is dispatched with a deadline on the 10th of the next month', async () => {
    const page = await call('GET', '/collections/alerts/items?limit=1000', tokens.county);
    expect(page.body.features).toHaveLength(alerts.length);
    for (const f of page.body.features) {
      expect(f.properties.status).toBe('dispatched');
      expect(f.properties.deadline).toBe('2026-12-10');
      expect(f.properties.dispatchedAt).toBe('2026-11-29T03:00:00Z');
    }
  });

  it('a county team verifies a 图斑 through to 已销号, with an append-only history', async () => {
    const id = alerts[0]!.id;
    expect((await transition(id, { to: 'in_review', user: 'li.si' })).status).toBe(201);
    const judged = await transition(id, { to: 'judged', verdict: 'false_alarm', reason: 'seasonal_farming', note: '冬小麦收割后翻耕', user: 'li.si' });
    expect(judged.status).toBe(201);
    expect(judged.body).toMatchObject({ status: 'judged', verdict: 'false_alarm' });
    const firstEntry = Buffer.from(await store.get(`cases/${id}/history/000001.json`)).toString('utf8');
    expect((await transition(id, { to: 'closed', user: 'wang.wu' })).status).toBe(201);
    const history = await call('GET', `/collections/alerts/items/${id}/history`, tokens.auditor);
    expect(history.body.history.map((h: { from: string; to: string; by: { team: string; user: string } }) => [h.from, h.to, h.by.team, h.by.user])).toEqual([
      ['dispatched', 'in_review', '海陵区', 'li.si'],
      ['in_review', 'judged', '海陵区', 'li.si'],
      ['judged', 'closed', '海陵区', 'wang.wu'],
    ]);
    // Written once, never rewritten.
    expect(Buffer.from(await store.get(`cases/${id}/history/000001.json`)).toString('utf8')).toBe(firstEntry);
    const closed = await call('GET', '/collections/alerts/items?status=closed', tokens.county);
    expect(closed.body.features.map((f: { id: string }) => f.id)).toEqual([id]);
  });

  it('refuses transitions that skip steps or lack a reason, naming the field (409), and bad bodies (400)', async () => {
    const id = alerts[1]!.id;
    const skipped = await transition(id, { to: 'closed', user: 'li.si' });
    expect(skipped.status).toBe(409);
    expect(skipped.body.description).toMatch(/^to: cannot go from dispatched to closed/);
    await transition(id, { to: 'in_review', user: 'li.si' });
    const noReason = await transition(id, { to: 'judged', verdict: 'illegal', user: 'li.si' });
    expect(noReason.status).toBe(409);
    expect(noReason.body.description).toMatch(/^reason: /);
    const noUser = await transition(id, { to: 'judged', verdict: 'illegal', reason: 'confirmed_violation' });
    expect(noUser.status).toBe(400);
    expect(noUser.body.description).toMatch(/body user/);
  });

  it('lets one of two simultaneous transitions win and tells the other to retry', async () => {
    const id = alerts[2]!.id;
    const results = await Promise.all([transition(id, { to: 'in_review', user: 'a' }), transition(id, { to: 'in_review', user: 'b' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await call('GET', `/collections/alerts/items/${id}/history`, tokens.county)).body.history).toHaveLength(1);
  });

  it('keeps other counties and auditors out of transitions', async () => {
    const id = alerts[3]!.id;
    expect((await transition(id, { to: 'in_review', user: 'x' }, tokens.other)).status).toBe(404);
    expect((await call('GET', `/collections/alerts/items/${id}/history`, tokens.other)).status).toBe(404);
    expect((await transition(id, { to: 'in_review', user: 'x' }, tokens.auditor)).status).toBe(403);
  });

  it('lists overdue 图斑 per county after the deadline, and counts false-alarm reasons per change type', async () => {
    const before = await call('GET', '/overdue?today=2026-12-10', tokens.county);
    expect(before.body.count).toBe(0);
    const after = await call('GET', '/overdue?today=2026-12-11', tokens.county);
    // Everything not yet judged: alerts[0] is closed; alerts[1] and [2] are only in review (still overdue).
    expect(after.body.count).toBe(alerts.length - 1);
    expect(after.body.byCounty).toEqual({ '321202': alerts.length - 1 });
    expect((await call('GET', '/overdue?today=2026-12-11', tokens.other)).body.count).toBe(0);
    const counties = await call('GET', '/overdue?today=2026-12-11&county=321203,321202', tokens.county);
    expect(counties.body.count).toBe(alerts.length - 1);
    const stats = await call('GET', '/stats/false-alarms', tokens.auditor);
    expect(stats.body.judged).toBe(1);
    expect(Object.values(stats.body.falseAlarmsByChangeType)).toEqual([{ seasonal_farming: 1 }]);
  });

  it('refuses malformed or unknown parameters of the overdue list and the statistics, naming them (400)', async () => {
    for (const [query, named] of [
      ['today=2026-13-45', /query parameter today: must be a date/],
      ['today=tomorrow', /query parameter today/],
      ['county=abc', /query parameter county: must be a 6-digit/],
      ['colour=red', /unknown query parameter "colour"/],
    ] as const) {
      const reply = await call('GET', `/overdue?${query}`, tokens.county);
      expect(reply.status, query).toBe(400);
      expect(reply.body.description, query).toMatch(named);
    }
    expect((await call('GET', '/stats/false-alarms?county=321202', tokens.county)).body.description).toMatch(/unknown query parameter "county"/);
  });
});
