/**
 * Farmland and red-line layers of a region (a county's permanent basic farmland, a province's ecological
 * red line): its operators replace or withdraw them, every role in scope reads them. A region's layers apply
 * to the batches of every county in it from the next ingest on, added to the deployment-wide layers and those
 * of the regions around it (batches already ingested keep the versions they pinned).
 *
 * The deployment-wide layers (`shoutu masks`, set by the deployment's operators on its host) apply to every
 * county, so every reader sees which versions they are; their polygons span every region, so only a team
 * whose scope is the whole deployment reads them whole.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { clearRegionalMask, isInvalidInput, listDeploymentMasks, listRegionalMasks, MASK_LAYERS, regionalMask, setRegionalMask, type BlobStore, type MaskLayerName, type TokenRegistry } from '@shoutu/shared';
import { ogcError, regionsOf, requireAction } from './auth.js';
import { acceptLayerBodies, inScope, layerOfBody, MAX_LAYER_BODY_BYTES, regionOf } from './region-layers.js';

type LayerParams = { Params: { layer: string; region: string } };

/** The route's layer kind, or null after answering 400. */
function layerOf(name: string, reply: FastifyReply): MaskLayerName | null {
  if ((MASK_LAYERS as readonly string[]).includes(name)) return name as MaskLayerName;
  ogcError(reply, 400, 'InvalidParameterValue', `layer "${name}" is not one of ${MASK_LAYERS.join(', ')}`);
  return null;
}

export function registerMaskRoutes(app: FastifyInstance, store: BlobStore | null, registry: TokenRegistry | null): void {
  const read = requireAction(registry, 'alerts:read');
  const write = requireAction(registry, 'masks:write');
  const what = (layer: string) => `${layer} layer`;

  app.get('/masks', { preHandler: read }, async (request, reply) => {
    const layers = store ? (await listRegionalMasks(store)).filter((m) => inScope(request, m.region)) : [];
    const whole = regionsOf(request) === null;
    const deployment = store ? await listDeploymentMasks(store) : [];
    return reply.send({
      deployment: deployment.map(({ key: _key, ...m }) => (whole ? { ...m, href: `/masks/${m.layer}` } : m)),
      layers: layers.map((m) => ({ ...m, href: `/masks/${m.layer}/${m.region}` })),
    });
  });

  app.get<{ Params: { layer: string } }>('/masks/:layer', { preHandler: read }, async (request, reply) => {
    const layer = layerOf(request.params.layer, reply);
    if (layer === null) return reply;
    const whole = regionsOf(request) === null;
    const mask = store && whole ? (await listDeploymentMasks(store)).find((m) => m.layer === layer) : undefined;
    const bytes = mask ? await store!.getOrNull(mask.key) : null;
    if (!mask || !bytes) return ogcError(reply, 404, 'NotFound', `no deployment-wide ${what(layer)}${whole ? '' : ` readable by team ${request.principal!.team} (it spans regions outside its scope; read /masks/${layer}/{region})`}`);
    return reply.type('application/geo+json').header('etag', `"${mask.sha256}"`).send(Buffer.from(bytes));
  });

  app.get<LayerParams>('/masks/:layer/:region', { preHandler: read }, async (request, reply) => {
    const layer = layerOf(request.params.layer, reply);
    const region = layer && regionOf(request, reply, 'not_found', what(layer));
    if (layer === null || region === null) return reply;
    const mask = store ? await regionalMask(store, layer, region) : null;
    const bytes = mask ? await store!.getOrNull(mask.key) : null;
    if (!mask || !bytes) return ogcError(reply, 404, 'NotFound', `no ${what(layer)} for ${region}`);
    return reply.type('application/geo+json').header('etag', `"${mask.sha256}"`).send(Buffer.from(bytes));
  });

  // A GeoJSON layer is hashed and stored as sent; a zipped one (?entry= names one of several) as the GeoJSON read from it.
  void app.register(async (scoped) => {
    acceptLayerBodies(scoped);
    // Authenticated before the body is read (a refused caller does not get to send 64 MB).
    scoped.put<LayerParams & { Querystring: { entry?: string } }>('/masks/:layer/:region', { onRequest: write, bodyLimit: MAX_LAYER_BODY_BYTES }, async (request, reply) => {
      const layer = layerOf(request.params.layer, reply);
      const region = layer && regionOf(request, reply, 'forbidden', what(layer));
      if (layer === null || region === null) return reply;
      if (!store || !registry) return ogcError(reply, 403, 'Forbidden', 'mask layers of regions need team tokens (SHOUTU_TOKENS_FILE)');
      try {
        const file = await layerOfBody(request, reply, what(layer), request.query.entry);
        if (file === null) return reply;
        const mask = await setRegionalMask(store, layer, region, file.bytes, file.archiveEntry ?? 'body', `PUT by ${request.principal!.team}`);
        request.log.info({ layer, region, sha256: mask.sha256, features: mask.features, team: request.principal!.team }, 'mask layer set');
        return reply.send({ ...mask, href: `/masks/${layer}/${region}` });
      } catch (error) {
        if (isInvalidInput(error)) return ogcError(reply, 400, 'InvalidParameterValue', error.message);
        throw error;
      }
    });
  });

  app.delete<LayerParams>('/masks/:layer/:region', { preHandler: write }, async (request, reply) => {
    const layer = layerOf(request.params.layer, reply);
    const region = layer && regionOf(request, reply, 'forbidden', what(layer));
    if (layer === null || region === null) return reply;
    if (!store || !(await clearRegionalMask(store, layer, region))) return ogcError(reply, 404, 'NotFound', `no ${what(layer)} for ${region}`);
    request.log.info({ layer, region, team: request.principal!.team }, 'mask layer withdrawn');
    return reply.code(204).send();
  });
}
