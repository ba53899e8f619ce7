'use strict';
/**
 * Runs s3rver for test/support/s3-server.ts in its own Node process.
 *
 * Why a child process: s3rver 3.7 signs ListObjectsV2 continuation tokens with DES-CBC,
 * which OpenSSL 3 (Node >= 17) only offers through the legacy provider. Without it every
 * truncated listing (more keys than MaxKeys) fails with 500 InternalError. The parent starts
 * this script with --openssl-legacy-provider, which cannot be enabled at run time.
 *
 * argv[2]: JSON { directory, conditionalWrites }. Messages: → { type: 'ready', port } |
 * { type: 'error', message }; ← 'close' (stop and exit). Exits when the parent goes away.
 */
const fs = require('node:fs/promises');
const { createWriteStream } = require('node:fs');
const { createHash } = require('node:crypto');
const { Transform } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const path = require('node:path');
const S3rver = require('s3rver');

const options = JSON.parse(process.argv[2] || '{}');

/**
 * Implements PutObject `If-None-Match: *` (s3rver ignores it and overwrites): answers 412
 * PreconditionFailed if the object exists. Requests for one key are serialised until the
 * write has completed, so of concurrent conditional writers exactly one succeeds.
 * Path-style requests only (the test config uses forcePathStyle).
 */
function ifNoneMatch(server) {
  const locks = new Map();
  return async (ctx, next) => {
    const conditionalPut =
      ctx.method === 'PUT' &&
      ctx.get('if-none-match').trim() === '*' &&
      ctx.get('x-amz-copy-source') === '' &&
      ctx.query.uploadId === undefined;
    const parts = ctx.path.split('/').slice(1);
    if (!conditionalPut || parts.length < 2) return next();
    const bucket = decodeURIComponent(parts[0]);
    const key = parts.slice(1).map(decodeURIComponent).join('/');
    if (key === '') return next();

    const lockKey = `${bucket}/${key}`;
    const previous = locks.get(lockKey) || Promise.resolve();
    let release;
    const current = new Promise((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    locks.set(lockKey, tail);
    await previous;
    try {
      if (await objectExists(server, bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
          '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
          `<Condition>If-None-Match</Condition><Key>${escapeXml(key)}</Key></Error>`;
        return;
      }
      await next();
    } finally {
      release();
      if (locks.get(lockKey) === tail) locks.delete(lockKey);
    }
  };
}

/**
 * s3rver 3.7's filesystem store answers a PUT once the body has been read, not once its file is
 * written (its promise resolves on the hashing stream's 'finish', before the file stream's), so a
 * GET right after the answer can read a short or empty file on a busy machine. This putObject
 * resolves only when the content file is complete, then writes the metadata as s3rver does.
 */
function completeWritesBeforeAnswering(store) {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await fs.mkdir(path.dirname(objectPath), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    if (Buffer.isBuffer(object.content)) {
      md5.update(object.content);
      size = object.content.length;
      await fs.writeFile(objectPath, object.content);
    } else {
      const meter = new Transform({
        transform(chunk, encoding, callback) {
          md5.update(chunk, encoding);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(object.content, meter, createWriteStream(objectPath));
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}

async function objectExists(server, bucket, key) {
  // s3rver keeps an object as a content file plus a metadata file; the metadata file is
  // written before the PUT is answered.
  for (const resource of ['object', 'metadata.json']) {
    try {
      await fs.stat(server.store.getResourcePath(bucket, key, resource));
      return true;
    } catch {
      // try the next
    }
  }
  return false;
}

function escapeXml(text) {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function main() {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
    vhostBuckets: false,
  });
  completeWritesBeforeAnswering(server.store);
  // s3rver is a Koa app; its middleware stack is composed when it starts listening.
  if (options.conditionalWrites) server.middleware.unshift(ifNoneMatch(server));
  const address = await server.run();

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    // Active keep-alive requests could hold close() open; never outlive the parent for long.
    setTimeout(() => process.exit(0), 5000).unref();
    try {
      await server.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message) => {
    if (message === 'close') void shutdown();
  });
  process.on('disconnect', () => void shutdown());
  process.send({ type: 'ready', port: address.port });
}

main().catch((error) => {
  const message = error && error.stack ? error.stack : String(error);
  if (process.send) process.send({ type: 'error', message }, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
});
