/**
 * Operators' upload API: create an upload, send the batch's files (raw PUT per file, streaming
 * multipart, or a presigned S3 URL), commit, then follow the batch's status. Size limits are
 * enforced while the bytes stream; nothing is stored from a refused file.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import {
  collectAlerts,
  commitUpload,
  createUploadSession,
  getCommit,
  getUploadSession,
  listUploadedFiles,
  readBatchStatus,
  regionWithin,
  S3BlobStore,
  UploadError,
  keys,
  type BlobStore,
  type TokenRegistry,
  type UploadLimits,
  type UploadSession,
  receiveUploadFile,
} from '@shoutu/shared';
import type { FastifyRequest } from 'fastify';
import { ogcError, regionsOf, requireAction } from './auth.js';

/** Starts ingest of a committed upload (enqueue in queue mode, run in-process in embedded mode). */
export interface IngestLauncher {
  start(uploadId: string): Promise<{ jobId?: string }>;
}

export interface UploadOptions {
  store: BlobStore;
  limits: UploadLimits;
  launcher: IngestLauncher;
  now?: () => Date;
}

const PRESIGN_SECONDS = 3600;

function refuse(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof UploadError) return ogcError(reply, error.status, error.status === 413 ? 'PayloadTooLarge' : error.status === 404 ? 'NotFound' : 'InvalidUpload', error.message);
  throw error;
}

export function registerUploadRoutes(app: FastifyInstance, registry: TokenRegistry | null, options: UploadOptions | null): void {
  const write = requireAction(registry, 'batches:write');
  const read = requireAction(registry, 'batches:read');
  const now = options?.now ?? (() => new Date());

  // Raw file bodies are streamed by the route itself, never buffered by the framework.
  app.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
  void app.register(multipart, { limits: { fileSize: options?.limits.maxFileBytes ?? 0, files: options?.limits.maxFiles ?? 0, fields: 10 } });

  const sessionOf = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<UploadSession | null> => {
    if (!options || !registry) {
      ogcError(reply, 403, 'Forbidden', 'uploads need team tokens (SHOUTU_TOKENS_FILE)');
      return null;
    }
    const session = await getUploadSession(options.store, request.params.id);
    if (!session || session.team !== request.principal!.team) {
      ogcError(reply, 404, 'NotFound', `no upload ${request.params.id}`);
      return null;
    }
    return session;
  };

  app.post('/uploads', { preHandler: write }, async (request, reply) => {
    if (!options || !registry) return ogcError(reply, 403, 'Forbidden', 'uploads need team tokens (SHOUTU_TOKENS_FILE)');
    const session = await createUploadSession(options.store, request.principal!.team, regionsOf(request) ?? [], now());
    return reply.code(201).send({ uploadId: session.uploadId, files: `/uploads/${session.uploadId}/files/{name}`, commit: `/uploads/${session.uploadId}/commit` });
  });

  app.get<{ Params: { id: string } }>('/uploads/:id', { preHandler: write }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const commit = await getCommit(options!.store, session.uploadId);
    return reply.send({ uploadId: session.uploadId, state: commit ? 'committed' : 'open', files: await listUploadedFiles(options!.store, session.uploadId), ...(commit ? { batchId: commit.batchId, status: `/batches/${commit.batchId}` } : {}) });
  });

  app.put<{ Params: { id: string; name: string } }>('/uploads/:id/files/:name', { preHandler: write, bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const declared = request.headers['content-length'] === undefined ? undefined : Number(request.headers['content-length']);
    try {
      const stored = await receiveUploadFile(options!.store, session, request.params.name, request.raw, options!.limits, declared);
      return reply.code(201).send(stored);
    } catch (error) {
      reply.header('connection', 'close'); // the rest of a refused body is not read
      return refuse(reply, error);
    }
  });

  app.post<{ Params: { id: string } }>('/uploads/:id/files', { preHandler: write }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    if (!request.isMultipart()) return ogcError(reply, 400, 'InvalidUpload', 'send multipart/form-data with one part per file');
    const stored = [];
    try {
      for await (const part of request.files()) {
        const result = await receiveUploadFile(options!.store, session, part.filename, part.file, options!.limits);
        // @fastify/multipart stops a part at the fileSize limit and marks it truncated.
        if (part.file.truncated) {
          await options!.store.delete(keys.upload(session.uploadId, part.filename));
          throw new UploadError(413, 'body', `${part.filename} is larger than the ${options!.limits.maxFileBytes} bytes allowed per file`);
        }
        stored.push(result);
      }
    } catch (error) {
      reply.header('connection', 'close');
      return refuse(reply, error);
    }
    return reply.code(201).send({ files: stored });
  });

  app.post<{ Params: { id: string }; Body: { name?: string } }>('/uploads/:id/presign', { preHandler: write }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    const name = request.body?.name;
    if (typeof name !== 'string') return ogcError(reply, 400, 'InvalidUpload', 'body name: the file name to upload is required');
    if (!(options!.store instanceof S3BlobStore)) return ogcError(reply, 409, 'InvalidUpload', 'presigned uploads need S3 storage (S3_BUCKET); send the file to /uploads/{id}/files/{name}');
    if (name !== 'batch.json' && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.tiff?$/i.test(name)) return ogcError(reply, 400, 'InvalidUpload', `file name "${name}" must be batch.json or a plain .tif/.tiff name`);
    const url = await options!.store.presignPut(keys.upload(session.uploadId, name), PRESIGN_SECONDS);
    return reply.send({ method: 'PUT', url, expiresInSeconds: PRESIGN_SECONDS });
  });

  app.post<{ Params: { id: string } }>('/uploads/:id/commit', { preHandler: write }, async (request, reply) => {
    const session = await sessionOf(request, reply);
    if (!session) return reply;
    try {
      const { record, created } = await commitUpload(options!.store, session, now());
      const launched = created ? await options!.launcher.start(session.uploadId) : {};
      return reply.code(created ? 202 : 200).send({ ...record, ...launched, status: `/batches/${record.batchId}` });
    } catch (error) {
      return refuse(reply, error);
    }
  });

  /** The batch's status when it exists and lies in the caller's regions, else null (answered as not found). */
  const visibleBatch = async (request: FastifyRequest<{ Params: { batchId: string } }>) => {
    if (!options) return null;
    const status = await readBatchStatus(options.store, request.params.batchId).catch(() => null);
    const manifestBytes = status ? await options.store.getOrNull(keys.batchManifest(request.params.batchId)) : null;
    const region = manifestBytes ? (JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as { regionCode?: string }).regionCode : undefined;
    const regions = regionsOf(request);
    if (!status || (regions !== null && (!region || !regions.some((r) => regionWithin(region, r))))) return null;
    return status;
  };

  app.get<{ Params: { batchId: string } }>('/batches/:batchId', { preHandler: read }, async (request, reply) => {
    const status = await visibleBatch(request);
    if (!status) return ogcError(reply, 404, 'NotFound', `no batch ${request.params.batchId} (yet)`);
    const alerts = (await collectAlerts(options!.store)).filter((a) => a.properties.batchId === request.params.batchId).length;
    return reply.send({ ...status, alertsSoFar: alerts });
  });

  // Where detection could look, tile by tile (written when the batch is finalized).
  app.get<{ Params: { batchId: string } }>('/batches/:batchId/coverage', { preHandler: read }, async (request, reply) => {
    const status = await visibleBatch(request);
    const bytes = status ? await options!.store.getOrNull(keys.batchCoverage(request.params.batchId)) : null;
    if (!bytes) return ogcError(reply, 404, 'NotFound', `no coverage of batch ${request.params.batchId} (yet)`);
    return reply.type('application/geo+json').send(Buffer.from(bytes));
  });
}
