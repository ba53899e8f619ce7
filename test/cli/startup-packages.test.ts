/**
 * What the local commands load at start. Embedded mode and `shoutu detect` need neither Redis nor S3 nor
 * image encoding until they use them: ioredis, BullMQ, the AWS SDK and sharp load on first use (queue
 * commands, an S3 store, the first JPEG block or evidence image). Loaded eagerly they cost every CLI run
 * and every worker thread about half a second and 50 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { SHOUTU_BIN } from '../support/cli.js';

const LAZY = ['ioredis', 'bullmq', '@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner', 'sharp', 'fastify'];

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-startup-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The packages `shoutu ARGS` imports by name before it exits. */
async function packagesOf(name: string, args: string[]): Promise<Set<string>> {
  const record = join(work, `${name}.txt`);
  const run = spawnSync(process.execPath, ['--import', join(REPO_ROOT, 'test/support/record-packages.mjs'), SHOUTU_BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHOUTU_DATA_DIR: join(work, 'data'), SHOUTU_RECORD_PACKAGES: record },
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(2); // refused: the folder or file does not exist
  return new Set((await readFile(record, 'utf8')).split('\n').filter(Boolean));
}

describe('local commands start without the queue, S3 and image libraries', () => {
  it.each([
    ['ingest', ['ingest', 'no-such-batch-folder']],
    ['detect', ['detect', '--before', 'no-such-before.tif', '--after', 'no-such-after.tif', '--out', 'no-such-out']],
  ])('shoutu %s', async (name, args) => {
    const loaded = await packagesOf(name, args);
    expect(loaded.has('zod'), [...loaded].join(' ')).toBe(true); // the recording works
    expect(LAZY.filter((p) => loaded.has(p))).toEqual([]);
  });
});
