/**
 * An alert with flat, scalar properties: what GIS clients (GDAL's OAPIF driver, QGIS, ArcGIS) and
 * tabular exports show as attribute columns. Nested objects become underscore-joined keys
 * (overlap.farmland.areaMu → overlap_farmland_areaMu); arrays of numbers become their own keys.
 */
import type { AlertFeature } from '../alerts/alert-feature.js';

export type FlatValue = string | number | boolean | null;

function flattenInto(prefix: string, value: unknown, out: Record<string, FlatValue>): void {
  if (value === null || value === undefined) {
    out[prefix] = null;
  } else if (Array.isArray(value)) {
    const names = prefix === 'centroid' ? ['lon', 'lat'] : value.map((_, i) => String(i));
    value.forEach((v, i) => flattenInto(`${prefix}_${names[i] ?? i}`, v, out));
  } else if (typeof value === 'object') {
    for (const key of Object.keys(value).sort()) flattenInto(prefix ? `${prefix}_${key}` : key, (value as Record<string, unknown>)[key], out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  }
}

/**
 * The lists a 图斑 carries (its observations, the approvals over it) would give every feature a different set
 * of columns; GIS clients take the schema from the first features, so they become a count and joined text.
 */
export function flatProperties(alert: AlertFeature): Record<string, FlatValue> {
  const { observations, approvals, ...rest } = alert.properties;
  const out: Record<string, FlatValue> = {};
  flattenInto('', rest, out);
  if (observations) {
    out.observationCount = observations.length;
    out.observationIds = observations.map((o) => o.id).join(',');
  }
  if (approvals) out.approvalNumbers = approvals.map((a) => a.number).join('; ');
  return out;
}

export interface FlatAlertFeature {
  type: 'Feature';
  id: string;
  geometry: AlertFeature['geometry'];
  bbox: AlertFeature['bbox'];
  properties: Record<string, FlatValue>;
}

export function flatAlert(alert: AlertFeature): FlatAlertFeature {
  return { type: 'Feature', id: alert.id, geometry: alert.geometry, bbox: alert.bbox, properties: flatProperties(alert) };
}
