/**
 * A real S3-compatible HTTP server for tests: s3rver on a free port (port 0), storing into a
 * fresh temp directory, with a fresh bucket created through the S3 API (ensureBucket).
 *
 * s3rver runs in a child Node process (s3rver-child.cjs) started with
 * --openssl-legacy-provider: s3rver 3.7 encrypts ListObjectsV2 continuation tokens with
 * DES-CBC, which Node >= 17 (OpenSSL 3) only has in the legacy provider, so in-process every
 * listing longer than one page fails with 500 InternalError.
 *
 * s3rver also ignores PutObject `If-None-Match: *` (it overwrites and answers 200). By default
 * the child adds a middleware implementing it (412 PreconditionFailed if the object exists,
 * serialised per key), so tests exercise the S3 store's native conditional-write path as
 * against AWS S3 or MinIO. `{ conditionalWrites: false }` gives plain s3rver and a store
 * config that uses the HEAD-then-PUT fallback.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureBucket, type S3StoreConfig } from '../../shared/src/storage/index.js';

export interface S3TestServer {
  /** e.g. http://127.0.0.1:41235 */
  endpoint: string;
  bucket: string;
  /** Store configuration for this server and bucket (prefix ''), with s3rver's credentials. */
  config: S3StoreConfig;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

export interface S3TestServerOptions {
  /** Emulate If-None-Match: * (default true); false = plain s3rver, which ignores it. */
  conditionalWrites?: boolean;
}

/** s3rver accepts this fixed access key / secret (its dummy account). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rver-child.cjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;

type ChildMessage = { type: 'ready'; port: number } | { type: 'error'; message: string };

export async function startS3Server(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  const conditionalWrites = options.conditionalWrites ?? true;
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'shoutu-s3rver-'));
  const child = fork(CHILD_SCRIPT, [JSON.stringify({ directory, conditionalWrites })], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`s3rver did not start within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: ChildMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.port);
        else reject(new Error(`s3rver failed to start: ${message.message}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited during start (code ${code}, signal ${signal}): ${stderr.trim()}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await fs.rm(directory, { recursive: true, force: true });
    throw error;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = `shoutu-test-${randomBytes(4).toString('hex')}`;
  const config: S3StoreConfig = {
    bucket,
    prefix: '',
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    ...S3RVER_CREDENTIALS,
    conditionalWrites,
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.send('close');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await fs.rm(directory, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    await ensureBucket(config);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, bucket, config, close };
}
