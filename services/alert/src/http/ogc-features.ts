/**
 * OGC API – Features – Part 1: Core (OGC 17-069r4) for the 图斑 alerts collection: landing page,
 * conformance, collections, items (bbox, datetime, limit, offset paging with next/prev links) and
 * single items, GeoJSON encoding, WGS84 (CRS84). So GDAL's OAPIF driver, QGIS and ArcGIS open the feed
 * directly. Enforcement filters (status, severity, county, changeType) are extra query parameters.
 * Every response applies the caller's region scope; an item outside it is "not found".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { flatAlert, parseAlertQuery, queryAlerts, QueryError, type TokenRegistry } from '@shoutu/shared';
import type { AlertSource } from './alert-source.js';
import { ogcError, regionsOf, requireAction } from './auth.js';

const COLLECTION = 'alerts';
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];
const GEOJSON = 'application/geo+json';
const JSON_TYPE = 'application/json';

/** Absolute base URL of the request (links must be absolute for some clients). */
function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? `${request.hostname}`}`;
}

/** Query parameters without the format switch (f=json), which every response already honours. */
function queryParams(request: FastifyRequest): Record<string, unknown> {
  const { f: _format, ...rest } = request.query as Record<string, unknown>;
  return rest;
}

function pageLink(base: string, params: Record<string, unknown>, offset: number, limit: number, rel: string) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (k !== 'offset' && k !== 'limit' && v !== undefined) search.set(k, String(v));
  search.set('limit', String(limit));
  search.set('offset', String(offset));
  return { href: `${base}/collections/${COLLECTION}/items?${search.toString()}`, rel, type: GEOJSON, title: rel === 'self' ? 'this page' : `${rel} page` };
}

export function registerOgcFeatures(app: FastifyInstance, source: AlertSource, registry: TokenRegistry | null): void {
  const read = requireAction(registry, 'alerts:read');

  app.get('/', async (request, reply) => {
    const base = baseUrl(request);
    return reply.type(JSON_TYPE).send({
      title: 'shoutu 守土 — 图斑 alerts',
      description: 'Change patches on permanent basic farmland and the ecological protection red line, from satellite and drone imagery.',
      links: [
        { href: `${base}/`, rel: 'self', type: JSON_TYPE, title: 'this document' },
        { href: `${base}/conformance`, rel: 'conformance', type: JSON_TYPE, title: 'conformance classes' },
        { href: `${base}/collections`, rel: 'data', type: JSON_TYPE, title: 'collections' },
      ],
    });
  });

  app.get('/conformance', async (_request, reply) => reply.type(JSON_TYPE).send({ conformsTo: CONFORMANCE }));

  const collection = async (request: FastifyRequest) => {
    const base = baseUrl(request);
    // The extent covers every alert in scope, not one page of them.
    const { features: all } = queryAlerts(await source.all(), { ...parseAlertQuery({}), limit: Number.MAX_SAFE_INTEGER }, regionsOf(request));
    const bbox = all.length === 0 ? [-180, -90, 180, 90] : [Math.min(...all.map((a) => a.bbox[0])), Math.min(...all.map((a) => a.bbox[1])), Math.max(...all.map((a) => a.bbox[2])), Math.max(...all.map((a) => a.bbox[3]))];
    const dates = all.map((a) => a.properties.afterDate).sort();
    return {
      id: COLLECTION,
      title: '图斑 alerts',
      description: 'One feature per change patch (图斑) with areas, overlaps, change type, severity, status and evidence links.',
      itemType: 'feature',
      crs: [CRS84],
      extent: {
        spatial: { bbox: [bbox], crs: CRS84 },
        temporal: { interval: [[dates[0] ?? null, dates[dates.length - 1] ?? null]], trs: 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian' },
      },
      links: [
        { href: `${base}/collections/${COLLECTION}`, rel: 'self', type: JSON_TYPE, title: 'this collection' },
        { href: `${base}/collections/${COLLECTION}/items`, rel: 'items', type: GEOJSON, title: 'alerts as GeoJSON' },
      ],
    };
  };

  app.get('/collections', { preHandler: read }, async (request, reply) => {
    const base = baseUrl(request);
    return reply.type(JSON_TYPE).send({
      links: [{ href: `${base}/collections`, rel: 'self', type: JSON_TYPE, title: 'this document' }],
      collections: [await collection(request)],
    });
  });

  app.get(`/collections/${COLLECTION}`, { preHandler: read }, async (request, reply) => reply.type(JSON_TYPE).send(await collection(request)));

  app.get(`/collections/${COLLECTION}/items`, { preHandler: read }, async (request, reply) => {
    const params = queryParams(request);
    let query;
    try {
      query = parseAlertQuery(params);
    } catch (error) {
      if (error instanceof QueryError) return ogcError(reply, 400, 'InvalidParameterValue', error.message);
      throw error;
    }
    const { numberMatched, features } = queryAlerts(await source.all(), query, regionsOf(request));
    const base = baseUrl(request);
    const links = [pageLink(base, params, query.offset, query.limit, 'self')];
    if (query.offset + features.length < numberMatched) links.push(pageLink(base, params, query.offset + query.limit, query.limit, 'next'));
    if (query.offset > 0) links.push(pageLink(base, params, Math.max(0, query.offset - query.limit), query.limit, 'prev'));
    return reply.type(GEOJSON).send({
      type: 'FeatureCollection',
      numberMatched,
      numberReturned: features.length,
      features: features.map(flatAlert),
      links,
    });
  });

  app.get<{ Params: { id: string } }>(`/collections/${COLLECTION}/items/:id`, { preHandler: read }, async (request, reply) => {
    const regions = regionsOf(request);
    const alert = (await source.all()).find((a) => a.id === request.params.id);
    if (!alert || (regions !== null && !queryAlerts([alert], parseAlertQuery({}), regions).numberMatched)) {
      return ogcError(reply, 404, 'NotFound', `no alert ${request.params.id}`);
    }
    const base = baseUrl(request);
    return reply.type(GEOJSON).send({
      ...flatAlert(alert),
      links: [
        { href: `${base}/collections/${COLLECTION}/items/${encodeURIComponent(alert.id)}`, rel: 'self', type: GEOJSON, title: 'this alert' },
        { href: `${base}/collections/${COLLECTION}`, rel: 'collection', type: JSON_TYPE, title: 'the alerts collection' },
      ],
    });
  });
}
