/**
 * 图斑编号: county code (6-digit 行政区划代码) + monitoring period (year and month of the new epoch's
 * acquisition) + a sequence within that county and month, e.g. `321202-202302-0007`. Issued once, when a
 * site is first found, and kept for every later observation of the site.
 */
export function tubanNumber(regionCode: string, acquiredAt: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`图斑 sequence ${sequence} must be a positive integer`);
  return `${numberingPeriod(regionCode, acquiredAt)}-${String(sequence).padStart(4, '0')}`;
}

/** The county-and-month a sequence counts within: `321202-202302`. */
export function numberingPeriod(regionCode: string, acquiredAt: string): string {
  return `${regionCode}-${acquiredAt.slice(0, 4)}${acquiredAt.slice(5, 7)}`;
}

const NUMBER = /^(\d{6})-(\d{6})-(\d{4,})$/;

/** The period and sequence of a 图斑编号, or null when the text is not one. */
export function parseTubanNumber(id: string): { period: string; sequence: number } | null {
  const m = NUMBER.exec(id);
  return m ? { period: `${m[1]}-${m[2]}`, sequence: Number(m[3]) } : null;
}
