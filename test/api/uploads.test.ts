/**
 * The operators' upload API end to end in embedded mode: two epochs uploaded (raw PUT and streaming
 * multipart), committed, ingested in the server's process, their status and alerts visible; size
 * limits enforced while streaming with nothing stored from a refused file; roles, scope and manifest
 * errors named.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { collectAlerts, createStore, generateToken, listUploadedFiles, tokenDigest, TokenRegistry, type BlobStore } from '@shoutu/shared';
import { buildApiServer, embeddedLauncher, storedAlerts } from '@shoutu/alert';
import { loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';

const MAX_FILE = 1_200_000; // the fixture scenes are 961,757 bytes
let dir: string;
let store: BlobStore;
let app: FastifyInstance;
let url: string;
let launcher: ReturnType<typeof embeddedLauncher>;
const tokens = { operator: generateToken(), enforcer: generateToken(), otherOperator: generateToken() };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-uploads-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  const registry = new TokenRegistry([
    { team: '泰州数据组', tokenSha256: tokenDigest(tokens.operator), roles: ['operator'], regions: ['321200'] },
    { team: '海陵区', tokenSha256: tokenDigest(tokens.enforcer), roles: ['enforcer'], regions: ['321202'] },
    { team: '杭州数据组', tokenSha256: tokenDigest(tokens.otherOperator), roles: ['operator'], regions: ['330100'] },
  ]);
  launcher = embeddedLauncher(store);
  app = buildApiServer({ source: storedAlerts(store), registry, store, uploads: { store, limits: { maxFileBytes: MAX_FILE, maxBatchBytes: 3 * MAX_FILE, maxFiles: 5 }, launcher } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
async function json(response: Response): Promise<{ status: number; body: any }> {
  return { status: response.status, body: await response.json() };
}
const createUpload = async (token = tokens.operator) => json(await fetch(`${url}/uploads`, { method: 'POST', headers: auth(token) }));
const put = (id: string, name: string, body: Uint8Array | string, token = tokens.operator, headers: Record<string, string> = {}) =>
  fetch(`${url}/uploads/${id}/files/${name}`, { method: 'PUT', headers: { ...auth(token), 'content-type': 'application/octet-stream', ...headers }, body });
const commit = async (id: string, token = tokens.operator) => json(await fetch(`${url}/uploads/${id}/commit`, { method: 'POST', headers: auth(token) }));

describe('upload API', () => {
  it('takes two epochs (raw PUT, then multipart), ingests them on commit and reports status and alerts', async () => {
    const first = await createUpload();
    expect(first.status).toBe(201);
    const id1 = first.body.uploadId as string;
    for (const name of ['batch.json', 'scene.tif']) {
      const response = await put(id1, name, new Uint8Array(await readFile(join(TAIZHOU_EPOCHS[0], name))));
      expect(response.status).toBe(201);
    }
    const committed = await commit(id1);
    expect(committed.status).toBe(202);
    expect(committed.body).toMatchObject({ batchId: 'taizhou-2000-03', regionCode: '321202', status: '/batches/taizhou-2000-03' });
    expect((await commit(id1)).status).toBe(200); // a second commit changes nothing

    const second = await createUpload();
    const id2 = second.body.uploadId as string;
    const form = new FormData();
    for (const name of ['batch.json', 'scene.tif']) form.append('file', new Blob([await readFile(join(TAIZHOU_EPOCHS[1], name))]), name);
    const uploaded = await json(await fetch(`${url}/uploads/${id2}/files`, { method: 'POST', headers: auth(tokens.operator), body: form }));
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.files.map((f: { name: string; bytes: number }) => [f.name, f.bytes])).toEqual([
      ['batch.json', (await readFile(join(TAIZHOU_EPOCHS[1], 'batch.json'))).length],
      ['scene.tif', 961_757],
    ]);
    expect((await commit(id2)).status).toBe(202);
    await launcher.idle();

    const baseline = await json(await fetch(`${url}/batches/taizhou-2000-03`, { headers: auth(tokens.enforcer) }));
    expect(baseline.body.state).toBe('baseline');
    const done = await json(await fetch(`${url}/batches/taizhou-2003-02`, { headers: auth(tokens.enforcer) }));
    expect(done.body.state).toBe('done');
    const alerts = await collectAlerts(store);
    expect(alerts.length).toBeGreaterThan(10);
    expect(done.body.alertsSoFar).toBe(alerts.length);
    const upload = await json(await fetch(`${url}/uploads/${id2}`, { headers: auth(tokens.operator) }));
    expect(upload.body).toMatchObject({ state: 'committed', batchId: 'taizhou-2003-02' });
  }, 120_000);

  it('refuses a file over the limit, declared or not, and stores nothing of it', async () => {
    const { body } = await createUpload();
    const big = new Uint8Array(MAX_FILE + 1);
    const declared = await put(body.uploadId, 'big.tif', big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { description: string }).description).toMatch(/big\.tif is larger than/);
    // Chunked, without Content-Length: the count stops it while streaming.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(100_000));
        controller.close();
      },
    });
    const chunked = await fetch(`${url}/uploads/${body.uploadId}/files/chunked.tif`, { method: 'PUT', headers: { ...auth(tokens.operator), 'content-type': 'application/octet-stream' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    const form = new FormData();
    form.append('file', new Blob([big]), 'multi.tif');
    expect((await fetch(`${url}/uploads/${body.uploadId}/files`, { method: 'POST', headers: auth(tokens.operator), body: form })).status).toBe(413);
    expect(await listUploadedFiles(store, body.uploadId)).toEqual([]);
  });

  it('names what is wrong with a batch at commit, and with a file name', async () => {
    const { body } = await createUpload();
    expect((await commit(body.uploadId)).body.description).toMatch(/no batch\.json/);
    await put(body.uploadId, 'batch.json', JSON.stringify({ batchId: 'x', acquiredAt: '2024-02-30', platform: 'satellite', sensor: 's', bands: ['red'], regionCode: '321202' }));
    const badDate = await commit(body.uploadId);
    expect(badDate.status).toBe(400);
    expect(badDate.body.description).toMatch(/batch\.json acquiredAt/);
    await put(body.uploadId, 'batch.json', JSON.stringify({ batchId: 'hz-2024-02', acquiredAt: '2024-02-01', platform: 'satellite', sensor: 's', bands: ['red'], regionCode: '330102' }));
    await put(body.uploadId, 'a.tif', 'II*\0');
    const outside = await commit(body.uploadId);
    expect(outside.status).toBe(403);
    expect(outside.body.description).toMatch(/330102 is outside/);
    const badName = await put(body.uploadId, '..%2Fescape.tif', 'x');
    expect(badName.status).toBe(400);
  });

  it('keeps uploads to operators and to their own team', async () => {
    expect((await createUpload(tokens.enforcer)).status).toBe(403);
    expect((await fetch(`${url}/uploads`, { method: 'POST' })).status).toBe(401);
    const { body } = await createUpload();
    expect((await put(body.uploadId, 'batch.json', '{}', tokens.otherOperator)).status).toBe(404);
    expect((await fetch(`${url}/batches/taizhou-2003-02`, { headers: auth(tokens.otherOperator) })).status).toBe(404);
  });
});
