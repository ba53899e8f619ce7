/**
 * Webhook delivery as subscribers meet it, over real Redis, BullMQ and HTTP: a receiver that fails 30 %
 * of requests while the delivery worker is killed with SIGKILL three times still gets every 图斑, each
 * retry with the same webhook-id and a valid signature; 410 disables an endpoint; private addresses are
 * refused unless allow-listed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { createStore, createWebhookEndpoint, enqueueDeliveries, getWebhookEndpoint, QUEUES, verifyWebhook, webhookRetrySpanMs, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { parseWebhookEnv, startWebhookWorker } from '@shoutu/alert';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';
import { REPO_ROOT } from '../support/fixtures.js';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';

const TOTAL = 1000;

let handle: RedisHandle;
let redis: Redis;
let dir: string;
let store: BlobStore;

beforeAll(async () => {
  handle = await ensureRedis();
  redis = createRedis(handle.url);
  dir = await mkdtemp(join(tmpdir(), 'shoutu-webhooks-'));
  store = createStore({ kind: 'local', dir });
});

afterAll(async () => {
  redis?.disconnect();
  await handle?.stop();
  await rm(dir, { recursive: true, force: true });
});

function alert(n: number): AlertFeature {
  const id = `321202-hook-${String(n).padStart(4, '0')}`;
  return { type: 'Feature', id, geometry: { type: 'Polygon', coordinates: [] }, bbox: [0, 0, 0, 0], properties: { tubanId: id, regionCode: '321202', afterDate: '2026-11-01', n } } as unknown as AlertFeature;
}

interface Receiver {
  server: Server;
  url: string;
  /** webhook-id → bodies of every request received with it. */
  bodies: Map<string, string[]>;
  delivered: Set<string>;
  badSignatures: number;
}

async function startReceiver(respond: (id: string) => number, secretOf: () => string): Promise<Receiver> {
  const receiver: Receiver = { server: undefined as unknown as Server, url: '', bodies: new Map(), delivered: new Set(), badSignatures: 0 };
  receiver.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      void (async () => {
        const id = String(req.headers['webhook-id']);
        const verdict = await verifyWebhook(secretOf(), req.headers, body);
        if (!verdict.ok) receiver.badSignatures++;
        receiver.bodies.set(id, [...(receiver.bodies.get(id) ?? []), body]);
        const status = respond(id);
        if (status < 300) receiver.delivered.add(id);
        res.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hook`;
  return receiver;
}

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('webhook retry schedule', () => {
  it('spans about three days', () => {
    const days = webhookRetrySpanMs() / 86_400_000;
    expect(days).toBeGreaterThan(2.5);
    expect(days).toBeLessThan(3.5);
  });
});

describe('webhook delivery', () => {
  it('delivers 1,000 图斑 through 30 % receiver failures and three SIGKILLs of the worker, same webhook-id on every retry', async () => {
    const prefix = uniquePrefix('webhooks');
    const fail = mulberry32(20261129); // the same failure pattern on every run
    let secret = '';
    const receiver = await startReceiver(() => (fail() < 0.3 ? 500 : 204), () => secret);
    const endpoint = await createWebhookEndpoint(store, { url: receiver.url, team: '海陵区', regions: ['321202'] });
    secret = endpoint.secret;
    const queue = new Queue(QUEUES.webhook, { connection: redis, prefix });
    let worker: ChildProcess | null = null;
    const startWorker = () => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'worker', 'webhook'], {
        env: {
          ...process.env,
          REDIS_URL: handle.url,
          SHOUTU_QUEUE_PREFIX: prefix,
          SHOUTU_DATA_DIR: dir,
          WEBHOOK_ALLOW: '127.0.0.1',
          WEBHOOK_BACKOFF_BASE_MS: '50',
          WEBHOOK_BACKOFF_CAP_MS: '400',
          WEBHOOK_LOCK_MS: '1000',
          WEBHOOK_CONCURRENCY: '16',
          LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      return child;
    };
    const kill = async (child: ChildProcess) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    };
    try {
      for (let n = 0; n < TOTAL; n++) await enqueueDeliveries(queue, alert(n), [endpoint]);
      // Queueing again (a re-run alert job) adds nothing: job ids are the message ids.
      for (let n = 0; n < 100; n++) await enqueueDeliveries(queue, alert(n), [endpoint]);
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      expect(counts.waiting + counts.active + counts.delayed).toBe(TOTAL);

      worker = startWorker();
      let kills = 0;
      for (const at of [150, 400, 650]) {
        await until(() => receiver.delivered.size >= at, 90_000, `${at} deliveries`);
        await kill(worker);
        kills++;
        worker = startWorker();
      }
      await until(() => receiver.delivered.size >= TOTAL, 120_000, 'all deliveries');
      expect(kills).toBe(3);

      expect(receiver.delivered.size).toBe(TOTAL);
      expect(receiver.badSignatures).toBe(0);
      let retried = 0;
      for (const [id, bodies] of receiver.bodies) {
        expect(new Set(bodies).size, `${id} changed its body between attempts`).toBe(1);
        if (bodies.length > 1) retried++;
      }
      expect(retried).toBeGreaterThan(100); // ~30 % of messages failed at least once
      const ns = [...receiver.bodies.values()].map((b) => (JSON.parse(b[0]!) as { data: { properties: { n: number } } }).data.properties.n).sort((a, b) => a - b);
      expect(ns).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
      expect(await redis.hlen(`${prefix}:webhooks:dead`)).toBe(0);
    } finally {
      if (worker) await kill(worker);
      await queue.obliterate({ force: true });
      await queue.close();
      await new Promise((resolve) => receiver.server.close(resolve));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
  }, 300_000);

  async function runInProcess(prefix: string, allow: string, body: () => Promise<void>) {
    const env = parseWebhookEnv({ REDIS_URL: handle.url, SHOUTU_QUEUE_PREFIX: prefix, SHOUTU_DATA_DIR: dir, WEBHOOK_ALLOW: allow, WEBHOOK_BACKOFF_BASE_MS: '50', WEBHOOK_BACKOFF_CAP_MS: '100', LOG_LEVEL: 'silent' });
    const worker = startWebhookWorker(env, pino({ level: 'silent' }));
    try {
      await body();
    } finally {
      await worker.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
  }

  it('disables an endpoint that answers 410 Gone and dead-letters what was left for it', async () => {
    const prefix = uniquePrefix('webhooks-gone');
    const receiver = await startReceiver(() => 410, () => 'whsec_' + Buffer.alloc(24).toString('base64'));
    const endpoint = await createWebhookEndpoint(store, { url: receiver.url, team: '高港区', regions: ['321202'] });
    const queue = new Queue(QUEUES.webhook, { connection: redis, prefix });
    try {
      await runInProcess(prefix, '127.0.0.1', async () => {
        for (let n = 0; n < 20; n++) await enqueueDeliveries(queue, alert(n), [endpoint]);
        await until(async () => (await redis.hlen(`${prefix}:webhooks:dead`)) === 20, 30_000, 'dead letters');
      });
      expect((await getWebhookEndpoint(store, endpoint.id))?.enabled).toBe(false);
      expect((await getWebhookEndpoint(store, endpoint.id))?.disabledReason).toMatch(/410/);
      // No message was retried after its 410.
      for (const bodies of receiver.bodies.values()) expect(bodies).toHaveLength(1);
      expect(receiver.bodies.size).toBeLessThan(20);
    } finally {
      await queue.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  }, 60_000);

  it('refuses a loopback endpoint unless allow-listed, without a single request reaching it', async () => {
    const prefix = uniquePrefix('webhooks-ssrf');
    const receiver = await startReceiver(() => 204, () => 'whsec_' + Buffer.alloc(24).toString('base64'));
    const endpoint = await createWebhookEndpoint(store, { url: receiver.url.replace('127.0.0.1', 'localhost'), team: '外部', regions: ['320000'] });
    const queue = new Queue(QUEUES.webhook, { connection: redis, prefix });
    try {
      await runInProcess(prefix, '', async () => {
        await enqueueDeliveries(queue, alert(1), [endpoint]);
        await until(async () => (await redis.hlen(`${prefix}:webhooks:dead`)) === 1, 30_000, 'dead letter');
        const dead = JSON.parse((await redis.hvals(`${prefix}:webhooks:dead`))[0]!) as { reason: string; attempts: number };
        expect(dead.reason).toMatch(/private, loopback or reserved address/);
        expect(dead.attempts).toBe(1);
      });
      expect(receiver.bodies.size).toBe(0);
    } finally {
      await queue.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  }, 60_000);
});
