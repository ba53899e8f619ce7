/**
 * What the routes of regional polygon layers share (approval layers, farmland and red-line layers): the
 * route's region checked against the caller's scope, and the layer's body — GeoJSON, or a zip archive of a
 * shapefile or GeoJSON file — read with its limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isZipArchive, layerOfBytes, RegionCode, regionWithin, type LayerFile } from '@shoutu/shared';
import { ogcError, regionsOf } from './auth.js';

/** Largest layer accepted in one request (a county's layer is a few to a few tens of MB of polygons). */
export const MAX_LAYER_BODY_BYTES = 64 << 20;
/** Most bytes a zipped layer may inflate to (a zip of a few MB must not expand into memory without bound). */
export const MAX_LAYER_ARCHIVE_BYTES = 256 << 20;
/** Zip archives as browsers and clients label them (Windows sends the second). */
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];

/** Whether `region` lies within the caller's scope (every region for an unscoped deployment). */
export function inScope(request: FastifyRequest, region: string): boolean {
  const regions = regionsOf(request);
  return regions === null || regions.some((r) => regionWithin(region, r));
}

/**
 * The route's region, or null after answering 400 (malformed) or, outside the caller's scope, 403 for a write
 * or 404 like a region without `what` for a read.
 */
export function regionOf(request: FastifyRequest<{ Params: { region: string } }>, reply: FastifyReply, answerOutside: 'forbidden' | 'not_found', what: string): string | null {
  const region = request.params.region;
  if (!RegionCode.safeParse(region).success) {
    ogcError(reply, 400, 'InvalidParameterValue', `region "${region}" is not a 6-digit administrative division code (行政区划代码)`);
    return null;
  }
  if (!inScope(request, region)) {
    if (answerOutside === 'forbidden') ogcError(reply, 403, 'Forbidden', `region ${region} is outside team ${request.principal!.team}'s scope`);
    else ogcError(reply, 404, 'NotFound', `no ${what} for ${region}`);
    return null;
  }
  return region;
}

/** Takes GeoJSON and zip bodies whole, as bytes, up to MAX_LAYER_BODY_BYTES (register inside a scoped plugin). */
export function acceptLayerBodies(scoped: FastifyInstance): void {
  scoped.addContentTypeParser(['application/json', 'application/geo+json', ...ZIP_TYPES], { parseAs: 'buffer', bodyLimit: MAX_LAYER_BODY_BYTES }, (_request, body, done) => done(null, body));
}

/**
 * The layer a request's body holds (a zip's one layer, or the one `entry` names), or null after answering 400
 * for an empty body or one labelled zip that is not. Refusals of the layer itself are thrown (InvalidInputError).
 */
export async function layerOfBody(request: FastifyRequest, reply: FastifyReply, what: string, entry: unknown): Promise<LayerFile | null> {
  const body = request.body;
  if (!(body instanceof Buffer) || body.length === 0) {
    ogcError(reply, 400, 'InvalidParameterValue', `body: send the ${what} as GeoJSON (content-type application/geo+json) or a zip of one shapefile or GeoJSON file (application/zip)`);
    return null;
  }
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ZIP_TYPES.includes(contentType) && !isZipArchive(body)) {
    ogcError(reply, 400, 'InvalidParameterValue', `body: labelled ${contentType} but not a zip archive`);
    return null;
  }
  return layerOfBytes(new Uint8Array(body), 'body', MAX_LAYER_ARCHIVE_BYTES, typeof entry === 'string' ? entry : undefined);
}
