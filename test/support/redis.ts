/**
 * Redis for integration tests. Never skips: if no Redis can be found or started, it throws
 * an error saying how to provide one.
 *
 * Order: REDIS_URL (must answer PING) → a Redis already answering on 127.0.0.1:6379 →
 * a private `redis-server` started on a free port in a temp directory (no persistence).
 * Calls within one process share the server; it stops after the last stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';

export interface RedisHandle {
  /** redis:// URL answering PING. */
  url: string;
  /** Releases this handle; stops the private redis-server when it was the last user. */
  stop(): Promise<void>;
}

const DEFAULT_LOCAL_URL = 'redis://127.0.0.1:6379';
const START_TIMEOUT_MS = 10_000;

/** Answers whether the Redis at `url` replies to PING within `timeoutMs`. */
export async function pingRedis(url: string, timeoutMs = 1000): Promise<{ ok: true } | { ok: false; error: string }> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  let connectionError: Error | undefined;
  client.on('error', (error: Error) => {
    connectionError ??= error; // e.g. ECONNREFUSED; the promise below only says "Connection is closed"
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return reply === 'PONG' ? { ok: true } : { ok: false, error: `unexpected PING reply ${JSON.stringify(reply)}` };
  } catch (error) {
    const cause = connectionError ?? error;
    return { ok: false, error: cause instanceof Error ? cause.message : String(cause) };
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Absolute path of `redis-server` on PATH, or null. */
export function findRedisServer(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

interface Shared {
  url: string;
  users: number;
  shutdown(): Promise<void>;
}

let shared: Promise<Shared> | null = null;

export async function ensureRedis(): Promise<RedisHandle> {
  if (shared === null) {
    const attempt = locateOrStart();
    shared = attempt;
    attempt.catch(() => {
      if (shared === attempt) shared = null;
    });
  }
  const current = await shared;
  current.users += 1;
  let released = false;
  return {
    url: current.url,
    stop: async () => {
      if (released) return;
      released = true;
      current.users -= 1;
      if (current.users === 0) {
        if (shared !== null && (await shared.catch(() => null)) === current) shared = null;
        await current.shutdown();
      }
    },
  };
}

async function locateOrStart(): Promise<Shared> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') {
    const ping = await pingRedis(fromEnv, 3000);
    if (!ping.ok) {
      throw new Error(`REDIS_URL is set to ${fromEnv} but that Redis does not answer PING: ${ping.error}`);
    }
    return { url: fromEnv, users: 0, shutdown: async () => undefined };
  }
  if ((await pingRedis(DEFAULT_LOCAL_URL, 500)).ok) {
    return { url: DEFAULT_LOCAL_URL, users: 0, shutdown: async () => undefined };
  }
  const binary = findRedisServer();
  if (binary === null) {
    throw new Error(
      'Integration tests need Redis, and none was found: REDIS_URL is not set, nothing answers on ' +
        '127.0.0.1:6379, and there is no redis-server on PATH. Install one (e.g. ' +
        '`apt-get install -y redis-server`, `brew install redis`) or set REDIS_URL=redis://host:port.',
    );
  }
  const server = await startRedisServer(binary);
  return { url: server.url, users: 0, shutdown: server.stop };
}

/**
 * Starts a private, non-persistent redis-server on a free port in a temp directory and waits
 * until it answers PING. Exported for tests of this helper.
 */
export async function startRedisServer(binary = findRedisServer()): Promise<{ url: string; stop(): Promise<void> }> {
  if (binary === null) throw new Error('redis-server is not on PATH (e.g. `apt-get install -y redis-server`)');
  let lastError: unknown;
  // The free port is found by binding port 0 and releasing it; someone else may grab it
  // before redis-server binds, so retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoutu-redis-'));
    try {
      return await launch(binary, port, dir);
    } catch (error) {
      lastError = error;
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

async function launch(binary: string, port: number, dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  });

  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastPing = '';
  for (;;) {
    if (spawnError !== null) throw new Error(`could not run ${binary}: ${(spawnError as Error).message}`);
    if (exited !== null) {
      const { code, signal } = exited as { code: number | null; signal: NodeJS.Signals | null };
      throw new Error(`redis-server exited early (code ${code}, signal ${signal}): ${output.trim()}`);
    }
    const ping = await pingRedis(url, 500);
    if (ping.ok) break;
    lastPing = ping.error;
    if (Date.now() > deadline) {
      await stopChild(child, exitPromise);
      throw new Error(
        `redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms (${lastPing}): ${output.trim()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  let stopped = false;
  return {
    url,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await stopChild(child, exitPromise);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function stopChild(child: ChildProcess, exitPromise: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timedOut = await Promise.race([
    exitPromise.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 5000).unref()),
  ]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exitPromise;
  }
}

/** A TCP port nothing listens on right now (bind port 0, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

let counter = 0;
const startStamp = Date.now().toString(36);

/**
 * A fresh BullMQ key prefix / queue-name suffix for one test: the name (reduced to
 * [A-Za-z0-9_-]) plus process id, a per-process counter and the start time, so runs sharing
 * one Redis never see each other's keys. Contains no ':' (BullMQ forbids it in queue names).
 */
export function uniquePrefix(name: string): string {
  counter += 1;
  const safe = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  return `${safe}-${process.pid}-${counter}-${startStamp}`;
}
