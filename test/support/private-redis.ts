/**
 * A private, persistent redis-server for crash tests: its own port and data directory, AOF with an
 * fsync per write, so a SIGKILL loses nothing Redis acknowledged. It can be killed (SIGKILL, like a
 * crashed host process) and restarted on the same port and directory, where it reloads its AOF.
 * Never the machine's shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRedisServer, freePort, pingRedis } from './redis.js';

export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL: no shutdown, no final save; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port and directory; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Stops it (SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const binary = findRedisServer();
  if (binary === null) throw new Error('redis-server is not on PATH (e.g. `apt-get install -y redis-server`)');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoutu-redis-aof-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    child = started;
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`redis-server on port ${port} exited: ${output.trim()}`);
      if ((await pingRedis(url, 500)).ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms: ${output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGKILL');
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    await kill();
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    port,
    dir,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
