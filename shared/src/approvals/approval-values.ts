/**
 * How an approval's values are read: its kind by shoutu's name or by the Chinese name land offices write,
 * its dates in the forms they are written in (2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日, and
 * a date with a time of day, whose day is kept), always checked as calendar dates.
 */

export const APPROVAL_KINDS = ['land_conversion', 'land_supply', 'facility_agriculture', 'temporary_use'] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
export const APPROVAL_KIND_ZH: Readonly<Record<ApprovalKind, string>> = {
  land_conversion: '农用地转用',
  land_supply: '供地',
  facility_agriculture: '设施农用地',
  temporary_use: '临时用地',
};
/** The other names each kind goes by in approval registers. */
const KIND_ALIASES: Readonly<Record<string, ApprovalKind>> = {
  农转用: 'land_conversion',
  土地供应: 'land_supply',
  设施农业用地: 'facility_agriculture',
};

/** The properties an approval layer's features carry. */
export const APPROVAL_FIELDS = ['number', 'kind', 'validFrom', 'validTo'] as const;
export type ApprovalField = (typeof APPROVAL_FIELDS)[number];

/** The kind a value names (shoutu's name or a Chinese one, surrounding spaces ignored), or null. */
export function approvalKindOf(value: unknown): ApprovalKind | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if ((APPROVAL_KINDS as readonly string[]).includes(text)) return text as ApprovalKind;
  const zh = (Object.entries(APPROVAL_KIND_ZH) as [ApprovalKind, string][]).find(([, name]) => name === text);
  return zh ? zh[0] : (KIND_ALIASES[text] ?? null);
}

const DATE_FORMS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
  /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/,
  /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
  /^(\d{4})年(\d{1,2})月(\d{1,2})日$/,
];

/** The date a value writes, as YYYY-MM-DD, or null when it writes none (or one not on the calendar). */
export function approvalDateOf(value: unknown): string | null {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null) return null;
  for (const form of DATE_FORMS) {
    const m = form.exec(text);
    if (!m) continue;
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    const day = new Date(`${iso}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === iso ? iso : null;
  }
  return null;
}

/** An approval number (批准文号): text, or a whole number as a .dbf's numeric field holds it; else null. */
export function approvalNumberOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' || text.length > 200 ? null : text;
}
