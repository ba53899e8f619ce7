import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../storage/index.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { deliveriesFor } from './delivery-job.js';
import { createWebhookEndpoint, fitEndpointsToScopes, getWebhookEndpoint, listWebhookEndpoints } from './endpoints.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-endpoints-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An announced first version of a 图斑 in county `regionCode` (only what deliveriesFor reads). */
const alertIn = (regionCode: string) => ({ type: 'Feature', id: `${regionCode}-202302-0001`, geometry: null, properties: { regionCode, version: 1, afterDate: '2023-02-06', disposition: 'dispatch' } }) as unknown as AlertFeature;

describe('fitEndpointsToScopes', () => {
  it("narrows endpoints to their team's current scope, disables those left with nothing, and rewrites nothing else", async () => {
    const store = createStore({ kind: 'local', dir: join(dir, 'fit') });
    // made while 泰州市执法支队 covered the whole city, and 海陵区核查组 its county
    const city = await createWebhookEndpoint(store, { url: 'https://taizhou.example.org/hook', team: '泰州市执法支队', regions: ['321200'] });
    const county = await createWebhookEndpoint(store, { url: 'https://hailing.example.org/hook', team: '海陵区核查组', regions: ['321202'] });
    const gone = await createWebhookEndpoint(store, { url: 'https://old.example.org/hook', team: '已撤销', regions: ['321203'] });
    const moved = await createWebhookEndpoint(store, { url: 'https://moved.example.org/hook', team: '调整组', regions: ['321204'] });
    expect(deliveriesFor(alertIn('321204'), [city])).toHaveLength(1);

    const scopes: Record<string, string[]> = { 泰州市执法支队: ['321202', '321203'], 海陵区核查组: ['321202'], 调整组: ['321300'] };
    const changes = await fitEndpointsToScopes(store, (team) => scopes[team] ?? null);
    expect(changes).toEqual(
      [
        { id: city.id, team: '泰州市执法支队', change: 'narrowed', from: ['321200'], to: ['321202', '321203'] },
        { id: gone.id, team: '已撤销', change: 'disabled', reason: 'team 已撤销 no longer has a token that may read alerts' },
        { id: moved.id, team: '调整组', change: 'disabled', reason: "none of its regions (321204) is within team 调整组's regions (321300) any more" },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const now = await getWebhookEndpoint(store, city.id);
    expect(now).toEqual({ ...city, regions: ['321202', '321203'] });
    // the city's other counties are no longer delivered to it; its scope's still are
    expect(deliveriesFor(alertIn('321204'), [now!])).toEqual([]);
    expect(deliveriesFor(alertIn('321203'), [now!])).toHaveLength(1);
    expect(await getWebhookEndpoint(store, county.id)).toEqual(county);
    expect((await getWebhookEndpoint(store, gone.id))?.enabled).toBe(false);
    expect((await listWebhookEndpoints(store)).filter((e) => e.enabled).map((e) => e.id).sort()).toEqual([city.id, county.id].sort());
    // fitted once, nothing more to do
    expect(await fitEndpointsToScopes(store, (team) => scopes[team] ?? null)).toEqual([]);
  });
});
