/**
 * Approval layers: land-use approvals that make a change lawful — 农用地转用 (conversion of farmland),
 * 供地 (land supply), 设施农用地 filings (facility agriculture) and 临时用地 permits (temporary use).
 * A GeoJSON FeatureCollection of Polygon / MultiPolygon features (geometry checked as for mask layers,
 * any CRS the `crs` member names), each with:
 *   number     批准文号, the approval's number (text, required)
 *   kind       land_conversion | land_supply | facility_agriculture | temporary_use
 *   validFrom  first day the approval is valid (YYYY-MM-DD)
 *   validTo    last day it is valid (YYYY-MM-DD), or absent / null when it does not expire
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { parseMaskLayer, type MaskLayer } from '../masks/index.js';
import { IsoDate } from '../schemas/manifest.js';

export const APPROVAL_KINDS = ['land_conversion', 'land_supply', 'facility_agriculture', 'temporary_use'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export const APPROVAL_KIND_ZH: Readonly<Record<ApprovalKind, string>> = {
  land_conversion: '农用地转用',
  land_supply: '供地',
  facility_agriculture: '设施农用地',
  temporary_use: '临时用地',
};

const ApprovalProperties = z.object({
  number: z.string().trim().min(1, 'the approval number (批准文号) is required').max(200),
  kind: z.enum(APPROVAL_KINDS),
  validFrom: IsoDate,
  validTo: IsoDate.nullable().optional(),
});

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
  const geometry = parseMaskLayer(bytes, name); // UTF-8, JSON, geometry, CRS, vertex caps
  const root = JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, '')) as { type?: string; features?: { properties?: unknown }[] };
  if (root.type !== 'FeatureCollection') {
    throw new InvalidInputError('approvals_invalid', `${name}: an approval layer is a FeatureCollection whose features carry number, kind and validity`, { file: name, field: 'type' });
  }
  const approvals: Approval[] = (root.features ?? []).map((feature, i) => {
    const parsed = ApprovalProperties.safeParse(feature.properties ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = `features[${i}].properties.${issue.path.join('.') || '(all)'}`;
      throw new InvalidInputError('approvals_invalid', `${name}: ${field}: ${issue.message}`, { file: name, field });
    }
    const { number, kind, validFrom, validTo } = parsed.data;
    if (validTo && validTo < validFrom) {
      throw new InvalidInputError('approvals_invalid', `${name}: features[${i}].properties.validTo: ${validTo} is before validFrom ${validFrom}`, { file: name, field: `features[${i}].properties.validTo` });
    }
    return { number, kind, validFrom, validTo: validTo ?? null };
  });
  return { geometry, approvals, sha256: geometry.sha256 };
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
