/**
 * Approval layers of a region (批准文号 with their polygons and validity): its operators replace or
 * withdraw the layer, every role in scope reads it. A region's layer applies to the batches of every county
 * in it from the next ingest on (batches already ingested keep the versions they pinned).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  applyApprovalMapping,
  clearRegionalApprovals,
  isInvalidInput,
  isZipArchive,
  layerOfBytes,
  parseApprovalMapping,
  listRegionalApprovals,
  RegionCode,
  regionalApprovals,
  regionWithin,
  setRegionalApprovals,
  type BlobStore,
  type TokenRegistry,
} from '@shoutu/shared';
import type { FastifyRequest } from 'fastify';
import { ogcError, regionsOf, requireAction } from './auth.js';

/** Largest layer accepted in one request (a county's approvals are a few MB of polygons). */
export const MAX_APPROVAL_LAYER_BYTES = 64 << 20;
/** Most bytes a zipped layer may inflate to (a zip of a few MB must not expand into memory without bound). */
export const MAX_APPROVAL_ARCHIVE_BYTES = 256 << 20;
/** Zip archives as browsers and clients label them (Windows sends the second). */
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];

type RegionRequest = FastifyRequest<{ Params: { region: string } }>;

const inScope = (request: FastifyRequest, region: string): boolean => {
  const regions = regionsOf(request);
  return regions === null || regions.some((r) => regionWithin(region, r));
};

/** The route's region, or null after answering 400 (malformed) or 404 (outside the caller's scope, like none). */
function regionOf(request: RegionRequest, reply: FastifyReply, answerOutside: 'forbidden' | 'not_found'): string | null {
  const region = request.params.region;
  if (!RegionCode.safeParse(region).success) {
    ogcError(reply, 400, 'InvalidParameterValue', `region "${region}" is not a 6-digit administrative division code (行政区划代码)`);
    return null;
  }
  if (!inScope(request, region)) {
    if (answerOutside === 'forbidden') ogcError(reply, 403, 'Forbidden', `region ${region} is outside team ${request.principal!.team}'s scope`);
    else ogcError(reply, 404, 'NotFound', `no approval layer for ${region}`);
    return null;
  }
  return region;
}

export function registerApprovalRoutes(app: FastifyInstance, store: BlobStore | null, registry: TokenRegistry | null): void {
  const read = requireAction(registry, 'alerts:read');
  const write = requireAction(registry, 'approvals:write');

  app.get('/approvals', { preHandler: read }, async (request, reply) => {
    const layers = store ? (await listRegionalApprovals(store)).filter((l) => inScope(request, l.region)) : [];
    return reply.send({ layers: layers.map((l) => ({ ...l, href: `/approvals/${l.region}` })) });
  });

  app.get<{ Params: { region: string } }>('/approvals/:region', { preHandler: read }, async (request, reply) => {
    const region = regionOf(request, reply, 'not_found');
    if (region === null) return reply;
    const layer = store ? await regionalApprovals(store, region) : null;
    const bytes = layer ? await store!.getOrNull(layer.key) : null;
    if (!layer || !bytes) return ogcError(reply, 404, 'NotFound', `no approval layer for ${region}`);
    return reply.type('application/geo+json').header('etag', `"${layer.sha256}"`).send(Buffer.from(bytes));
  });

  // A GeoJSON layer is hashed and stored as sent: its bytes are taken whole, not re-serialised. A zipped
  // layer (one shapefile or GeoJSON file) is stored as the GeoJSON read from it; a mapping of the layer's
  // own property names (?fields=number=PZWH,validFrom=PZRQ, ?kind=land_conversion) rewrites its properties;
  // ?entry=name.shp picks one layer of an archive of several.
  void app.register(async (scoped) => {
    scoped.addContentTypeParser(['application/json', 'application/geo+json', ...ZIP_TYPES], { parseAs: 'buffer', bodyLimit: MAX_APPROVAL_LAYER_BYTES }, (_request, body, done) => done(null, body));
    // Authenticated before the body is read (a refused caller does not get to send 64 MB).
    scoped.put<{ Params: { region: string }; Querystring: { fields?: string; kind?: string; entry?: string } }>('/approvals/:region', { onRequest: write, bodyLimit: MAX_APPROVAL_LAYER_BYTES }, async (request, reply) => {
      const region = regionOf(request, reply, 'forbidden');
      if (region === null) return reply;
      if (!store || !registry) return ogcError(reply, 403, 'Forbidden', 'approval layers need team tokens (SHOUTU_TOKENS_FILE)');
      if (!(request.body instanceof Buffer) || request.body.length === 0) {
        return ogcError(reply, 400, 'InvalidParameterValue', 'body: send the approval layer as GeoJSON (content-type application/geo+json) or a zip of one shapefile or GeoJSON file (application/zip)');
      }
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (ZIP_TYPES.includes(contentType) && !isZipArchive(request.body)) return ogcError(reply, 400, 'InvalidParameterValue', `body: labelled ${contentType} but not a zip archive`);
      const { fields, kind, entry } = request.query;
      try {
        const mapping = parseApprovalMapping(typeof fields === 'string' ? fields : undefined, typeof kind === 'string' ? kind : undefined, { fields: 'fields', kind: 'kind' });
        const file = await layerOfBytes(new Uint8Array(request.body), 'body', MAX_APPROVAL_ARCHIVE_BYTES, typeof entry === 'string' ? entry : undefined);
        const bytes = applyApprovalMapping(file.bytes, mapping, file.archiveEntry ?? 'body');
        const layer = await setRegionalApprovals(store, region, bytes, file.archiveEntry ?? 'body', `PUT by ${request.principal!.team}`);
        request.log.info({ region, sha256: layer.sha256, approvals: layer.approvals, team: request.principal!.team }, 'approval layer set');
        return reply.send({ ...layer, href: `/approvals/${region}` });
      } catch (error) {
        if (isInvalidInput(error)) return ogcError(reply, 400, 'InvalidParameterValue', error.message);
        throw error;
      }
    });
  });

  app.delete<{ Params: { region: string } }>('/approvals/:region', { preHandler: write }, async (request, reply) => {
    const region = regionOf(request, reply, 'forbidden');
    if (region === null) return reply;
    if (!store || !(await clearRegionalApprovals(store, region))) return ogcError(reply, 404, 'NotFound', `no approval layer for ${region}`);
    request.log.info({ region, team: request.principal!.team }, 'approval layer withdrawn');
    return reply.code(204).send();
  });
}
