/**
 * Verification deadlines. 卫片执法 practice: patches dispatched in a month are verified by the 10th of
 * the following month. Dates are civil dates in China Standard Time (UTC+8, no daylight saving), so
 * a patch dispatched at 23:30 on 31 January Beijing time (15:30 UTC) counts as January.
 */
const CST_OFFSET_MS = 8 * 3600 * 1000;

/** The civil date (YYYY-MM-DD) in China Standard Time of a UTC instant. */
export function chinaDate(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new Error(`"${instant}" is not an ISO-8601 instant`);
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Default deadline: day `day` (10) of the month after the dispatch's China date. */
export function verificationDeadline(dispatchedAt: string, day = 10): string {
  if (!Number.isInteger(day) || day < 1 || day > 28) throw new Error(`deadline day must be 1–28, got ${day}`);
  const [year, month] = chinaDate(dispatchedAt).split('-').map(Number) as [number, number];
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  return `${nextYear}-${String(nextMonth).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Overdue when not yet judged and `today` (a China date) is after the deadline. */
export function isOverdue(deadline: string, today: string, status: string): boolean {
  return (status === 'dispatched' || status === 'in_review') && today > deadline;
}
