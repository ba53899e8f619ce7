/**
 * Approval layers as counties keep them: the attribute table of a land-use approval layer names its fields
 * in its own way (批准文号 as `PZWH`, `批准文号` or `WH`; dates as `PZRQ`, `YXQZ`), and a layer often holds
 * approvals of one kind only. A mapping names, for each of the fields shoutu reads (`number`, `kind`,
 * `validFrom`, `validTo`), the layer's field that holds it, or gives the layer's one kind, and the layer is
 * rewritten with those properties set (its own fields kept beside them), so what is stored and pinned is
 * an ordinary approval layer. Values are read as parseApprovalLayer reads them (kinds by their Chinese
 * names too, dates in the common written forms).
 */
import { InvalidInputError } from '../errors.js';
import { approvalOf } from './approval-layer.js';
import { APPROVAL_FIELDS, approvalKindOf, type ApprovalField, type ApprovalKind } from './approval-values.js';

export interface ApprovalMapping {
  /** For each field shoutu reads, the layer's property that holds it (absent: the property of that name). */
  fields: Partial<Record<ApprovalField, string>>;
  /** The kind of every approval of the layer, when the layer has no field for it. */
  kind?: ApprovalKind;
}

/**
 * The mapping written `number=PZWH,validFrom=PZRQ,validTo=YXQZ,kind=YDLX` (`fields`), with `kind` the layer's
 * one kind (`land_conversion`, …, or its Chinese name); `source` names the two options in messages.
 */
export function parseApprovalMapping(fields: string | undefined, kind: string | undefined, source: { fields: string; kind: string }): ApprovalMapping {
  const fail = (field: string, why: string) => new InvalidInputError('argument_invalid', `${field}: ${why}`, { field });
  const mapping: ApprovalMapping = { fields: {} };
  for (const pair of (fields ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    const target = pair.slice(0, at).trim();
    const property = pair.slice(at + 1).trim();
    if (at < 0 || property === '') throw fail(source.fields, `"${pair.trim()}" is not FIELD=PROPERTY (for example number=PZWH)`);
    if (!(APPROVAL_FIELDS as readonly string[]).includes(target)) throw fail(source.fields, `"${target}" is not one of ${APPROVAL_FIELDS.join(', ')}`);
    if (mapping.fields[target as ApprovalField] !== undefined) throw fail(source.fields, `${target} is mapped twice`);
    mapping.fields[target as ApprovalField] = property;
  }
  if (kind !== undefined) {
    const known = approvalKindOf(kind);
    if (known === null) throw fail(source.kind, `"${kind}" is not an approval kind (land_conversion 农用地转用, land_supply 供地, facility_agriculture 设施农用地, temporary_use 临时用地)`);
    if (mapping.fields.kind !== undefined) throw fail(source.kind, `the layer's kind is given both as ${source.kind} and as the property ${mapping.fields.kind}`);
    mapping.kind = known;
  }
  return mapping;
}

/** Whether the mapping changes anything (an empty one leaves the layer's bytes as they are). */
export const isIdentityMapping = (mapping: ApprovalMapping): boolean => mapping.kind === undefined && Object.keys(mapping.fields).length === 0;

type Feature = { properties?: Record<string, unknown> | null };

/**
 * The layer `bytes` (GeoJSON) with each feature's `number`, `kind`, `validFrom` and `validTo` taken from the
 * mapped properties. A mapped property that no feature has is refused naming the properties there are, so a
 * misspelt field name is caught before the layer is stored; a value that does not read is refused naming the
 * feature, the field and the layer's property it came from.
 */
export function applyApprovalMapping(bytes: Uint8Array, mapping: ApprovalMapping, name: string): Uint8Array {
  if (isIdentityMapping(mapping)) return bytes;
  let root: { features?: Feature[] };
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '')) as { features?: Feature[] };
  } catch (error) {
    throw new InvalidInputError('approvals_invalid', `${name}: not UTF-8 GeoJSON (${(error as Error).message})`, { file: name, field: 'body' });
  }
  const features = Array.isArray(root?.features) ? root.features : [];
  const present = new Set<string>();
  for (const feature of features) for (const key of Object.keys(feature?.properties ?? {})) present.add(key);
  for (const [target, property] of Object.entries(mapping.fields)) {
    if (features.length > 0 && !present.has(property)) {
      const names = [...present].sort();
      throw new InvalidInputError('approvals_invalid', `${name}: no feature has the property ${property} (mapped to ${target}); the layer's properties are ${names.length ? names.join(', ') : 'none'}`, { file: name, field: target });
    }
  }
  features.forEach((feature, i) => {
    if (feature === null || typeof feature !== 'object') return; // refused, with its index, where the layer is parsed
    const own = feature.properties ?? {};
    const mapped: Record<string, unknown> = { ...own };
    for (const [target, property] of Object.entries(mapping.fields)) mapped[target] = own[property] ?? null;
    if (mapping.kind !== undefined) mapped.kind = mapping.kind;
    approvalOf(mapped, `features[${i}].properties`, name, mapping.fields);
    feature.properties = mapped;
  });
  return new TextEncoder().encode(JSON.stringify(root));
}
