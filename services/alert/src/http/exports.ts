/**
 * Exports of a filtered set of 图斑: GeoJSON, CSV (UTF-8 with BOM; Chinese or English headers),
 * Shapefile (zip) and KML. Same filters as the items endpoint (without paging: the whole matching set),
 * same region scope; the file name says what it holds.
 */
import type { FastifyInstance } from 'fastify';
import {
  alertsToTable,
  flatAlert,
  MAX_LIMIT,
  parseAlertQuery,
  queryAlerts,
  QueryError,
  stableJson,
  writeCsv,
  writeKml,
  writeShapefileZip,
  type TokenRegistry,
} from '@shoutu/shared';
import type { AlertSource } from './alert-source.js';
import { ogcError, regionsOf, requireAction } from './auth.js';

const FORMATS = ['geojson', 'csv', 'shp', 'kml'] as const;
type Format = (typeof FORMATS)[number];

export function registerExports(app: FastifyInstance, source: AlertSource, registry: TokenRegistry | null): void {
  app.get('/collections/alerts/export', { preHandler: requireAction(registry, 'alerts:read') }, async (request, reply) => {
    const { format = 'geojson', lang = 'zh', limit: _limit, offset: _offset, f: _f, ...filters } = request.query as Record<string, string>;
    if (!FORMATS.includes(format as Format)) return ogcError(reply, 400, 'InvalidParameterValue', `query parameter format must be one of ${FORMATS.join(', ')}`);
    if (lang !== 'zh' && lang !== 'en') return ogcError(reply, 400, 'InvalidParameterValue', 'query parameter lang must be zh or en');
    let query;
    try {
      query = { ...parseAlertQuery(filters), limit: Number.MAX_SAFE_INTEGER, offset: 0 };
    } catch (error) {
      if (error instanceof QueryError) return ogcError(reply, 400, 'InvalidParameterValue', error.message);
      throw error;
    }
    const { features } = queryAlerts(await source.all(), query, regionsOf(request));
    if (features.length > MAX_LIMIT * 10) return ogcError(reply, 400, 'InvalidParameterValue', `${features.length} alerts match; narrow the filters (at most ${MAX_LIMIT * 10} per export)`);
    const dates = features.map((a) => a.properties.afterDate).sort();
    const name = `tuban-${dates[dates.length - 1] ?? 'none'}`;
    const attach = (ext: string) => reply.header('content-disposition', `attachment; filename="${name}.${ext}"`);
    switch (format as Format) {
      case 'geojson':
        return attach('geojson').type('application/geo+json').send(stableJson({ type: 'FeatureCollection', features: features.map(flatAlert) }));
      case 'csv':
        return attach('csv').type('text/csv; charset=utf-8').send(Buffer.from(writeCsv(alertsToTable(features), lang)));
      case 'kml':
        return attach('kml').type('application/vnd.google-earth.kml+xml').send(Buffer.from(writeKml(alertsToTable(features), { name: `图斑 ${name}`, nameColumn: 'id' })));
      case 'shp':
        return attach('zip').type('application/zip').send(Buffer.from(writeShapefileZip(alertsToTable(features), { name, date: dates[dates.length - 1] ?? '2000-01-01' })));
    }
  });
}
