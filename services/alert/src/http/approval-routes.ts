/**
 * Approval layers of a region (批准文号 with their polygons and validity): its operators replace or
 * withdraw the layer, every role in scope reads it. A region's layer applies to the batches of every county
 * in it from the next ingest on (batches already ingested keep the versions they pinned).
 */
import type { FastifyInstance } from 'fastify';
import { applyApprovalMapping, clearRegionalApprovals, isInvalidInput, listRegionalApprovals, parseApprovalMapping, regionalApprovals, setRegionalApprovals, type BlobStore, type TokenRegistry } from '@shoutu/shared';
import { ogcError, requireAction } from './auth.js';
import { acceptLayerBodies, inScope, layerOfBody, MAX_LAYER_BODY_BYTES, regionOf } from './region-layers.js';

const WHAT = 'approval layer';

export function registerApprovalRoutes(app: FastifyInstance, store: BlobStore | null, registry: TokenRegistry | null): void {
  const read = requireAction(registry, 'alerts:read');
  const write = requireAction(registry, 'approvals:write');

  app.get('/approvals', { preHandler: read }, async (request, reply) => {
    const layers = store ? (await listRegionalApprovals(store)).filter((l) => inScope(request, l.region)) : [];
    return reply.send({ layers: layers.map((l) => ({ ...l, href: `/approvals/${l.region}` })) });
  });

  app.get<{ Params: { region: string } }>('/approvals/:region', { preHandler: read }, async (request, reply) => {
    const region = regionOf(request, reply, 'not_found', WHAT);
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
    acceptLayerBodies(scoped);
    // Authenticated before the body is read (a refused caller does not get to send 64 MB).
    scoped.put<{ Params: { region: string }; Querystring: { fields?: string; kind?: string; entry?: string } }>('/approvals/:region', { onRequest: write, bodyLimit: MAX_LAYER_BODY_BYTES }, async (request, reply) => {
      const region = regionOf(request, reply, 'forbidden', WHAT);
      if (region === null) return reply;
      if (!store || !registry) return ogcError(reply, 403, 'Forbidden', 'approval layers need team tokens (SHOUTU_TOKENS_FILE)');
      const { fields, kind, entry } = request.query;
      try {
        const mapping = parseApprovalMapping(typeof fields === 'string' ? fields : undefined, typeof kind === 'string' ? kind : undefined, { fields: 'fields', kind: 'kind' });
        const file = await layerOfBody(request, reply, WHAT, entry);
        if (file === null) return reply;
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
    const region = regionOf(request, reply, 'forbidden', WHAT);
    if (region === null) return reply;
    if (!store || !(await clearRegionalApprovals(store, region))) return ogcError(reply, 404, 'NotFound', `no approval layer for ${region}`);
    request.log.info({ region, team: request.principal!.team }, 'approval layer withdrawn');
    return reply.code(204).send();
  });
}
