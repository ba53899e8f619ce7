/**
 * Approval layers: land-use approvals that make a change lawful — 农用地转用 (conversion of farmland),
 * 供地 (land supply), 设施农用地 filings (facility agriculture) and 临时用地 permits (temporary use).
 * A GeoJSON FeatureCollection of Polygon / MultiPolygon features (geometry checked as for mask layers,
 * any CRS the `crs` member names), each with:
 *   number     批准文号, the approval's number (text, or a whole number; required)
 *   kind       land_conversion | land_supply | facility_agriculture | temporary_use, or the Chinese name
 *              (农用地转用 or 农转用, 供地 or 土地供应, 设施农用地 or 设施农业用地, 临时用地)
 *   validFrom  first day the approval is valid (YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日)
 *   validTo    last day it is valid (the same forms), or absent / null / empty when it does not expire
 * A layer whose fields have other names is mapped onto these before it is stored (approval-fields.ts).
 */
import { InvalidInputError } from '../errors.js';
import type { MaskLayer } from '../masks/index.js';
import { parseMaskLayerWithProperties } from '../masks/parse-mask-layer.js';
import { approvalDateOf, approvalKindOf, approvalNumberOf, APPROVAL_KINDS, APPROVAL_KIND_ZH, type ApprovalField, type ApprovalKind } from './approval-values.js';

export { APPROVAL_KINDS, APPROVAL_KIND_ZH, type ApprovalKind };

export interface Approval {
  number: string;
  kind: ApprovalKind;
  validFrom: string;
  validTo: string | null;
}

export interface ApprovalLayer {
  /** Geometry of every feature, with polygonFeatures mapping each polygon to its approval. */
  geometry: MaskLayer;
  /** One entry per feature, in file order. */
  approvals: Approval[];
  sha256: string;
}

/** Parses and checks an approval layer; errors name the file and the feature's field. */
export function parseApprovalLayer(bytes: Uint8Array, name: string): ApprovalLayer {
  // UTF-8, JSON, geometry, CRS and vertex caps checked as for mask layers; the properties read in the same pass
  const { layer: geometry, properties, collection } = parseMaskLayerWithProperties(bytes, name);
  if (!collection) {
    throw new InvalidInputError('approvals_invalid', `${name}: an approval layer is a FeatureCollection whose features carry number, kind and validity`, { file: name, field: 'type' });
  }
  const approvals: Approval[] = properties.map((own, i) => approvalOf(own ?? {}, `features[${i}].properties`, name));
  return { geometry, approvals, sha256: geometry.sha256 };
}

/**
 * One feature's approval from its properties (`at` their path, for messages): kind and dates read as
 * approval-values.ts reads them, so a layer written with 农用地转用 and 2024/3/5 reads as one with
 * land_conversion and 2024-03-05. `sources`: the layer's own property behind each mapped field, named in
 * messages.
 */
export function approvalOf(properties: unknown, at: string, name: string, sources: Partial<Record<ApprovalField, string>> = {}): Approval {
  const fail = (field: ApprovalField, why: string) => {
    const from = sources[field] === undefined ? '' : ` (the layer's property ${sources[field]})`;
    return new InvalidInputError('approvals_invalid', `${name}: ${at}.${field}${from}: ${why}`, { file: name, field: `${at}.${field}` });
  };
  const own = (properties !== null && typeof properties === 'object' ? properties : {}) as Record<string, unknown>;
  const number = approvalNumberOf(own.number);
  if (number === null) throw fail('number', `the approval number (批准文号) is required: text of 1 to 200 characters, not ${JSON.stringify(own.number ?? null)}`);
  const kind = approvalKindOf(own.kind);
  if (kind === null) {
    const kinds = APPROVAL_KINDS.map((k) => `${k} (${APPROVAL_KIND_ZH[k]})`).join(', ');
    throw fail('kind', `${JSON.stringify(own.kind ?? null)} is not an approval kind: one of ${kinds}`);
  }
  const validFrom = approvalDateOf(own.validFrom);
  if (validFrom === null) throw fail('validFrom', `${JSON.stringify(own.validFrom ?? null)} is not a calendar date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日)`);
  const noEnd = own.validTo === undefined || own.validTo === null || (typeof own.validTo === 'string' && own.validTo.trim() === '');
  const validTo = noEnd ? null : approvalDateOf(own.validTo);
  if (!noEnd && validTo === null) throw fail('validTo', `${JSON.stringify(own.validTo)} is not a calendar date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日), nor empty for an approval that does not expire`);
  if (validTo !== null && validTo < validFrom) throw fail('validTo', `${validTo} is before validFrom ${validFrom}`);
  return { number, kind, validFrom, validTo };
}

/** Whether an approval was valid on a date (YYYY-MM-DD; both ends inclusive). */
export function isValidOn(approval: Approval, date: string): boolean {
  return approval.validFrom <= date && (approval.validTo === null || date <= approval.validTo);
}

/** The layer restricted to the approvals valid on `date`: geometry of those features only, and their indices. */
export function validApprovals(layer: ApprovalLayer, date: string): { geometry: MaskLayer; features: number[] } {
  const valid = new Set<number>();
  layer.approvals.forEach((a, i) => isValidOn(a, date) && valid.add(i));
  const polygons: Float64Array[][] = [];
  const polygonFeatures: number[] = [];
  layer.geometry.polygons.forEach((p, k) => {
    const f = layer.geometry.polygonFeatures[k]!;
    if (!valid.has(f)) return;
    polygons.push(p);
    polygonFeatures.push(f);
  });
  return { geometry: { ...layer.geometry, polygons, polygonFeatures }, features: [...valid].sort((a, b) => a - b) };
}
