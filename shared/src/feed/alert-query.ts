/**
 * Filtering and paging of the alert feed, shared by the HTTP API (OGC API – Features items), exports
 * and the CLI. Parameters follow OGC API – Features Part 1 (bbox, datetime, limit, offset for paging)
 * plus the enforcement filters (status, severity, county, changeType). Results are in 图斑编号 order,
 * so pages are stable.
 */
import { z } from 'zod';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { SEVERITIES } from '../alerts/severity.js';
import { anyRegionCovers } from '../access/region-scope.js';
import { RegionCode } from '../schemas/manifest.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0))
    .pipe(z.array(item).min(1));

const bbox = z
  .string()
  .transform((s) => s.split(',').map((v) => Number(v.trim())))
  .refine((v) => (v.length === 4 || v.length === 6) && v.every(Number.isFinite), 'must be 4 (or 6) comma-separated numbers: minLon,minLat,maxLon,maxLat')
  .transform((v) => (v.length === 6 ? [v[0]!, v[1]!, v[3]!, v[4]!] : v) as [number, number, number, number])
  .refine(([w, s, e, n]) => s <= n && w >= -180 && e <= 180 && s >= -90 && n <= 90, 'must be within -180..180, -90..90 with minLat ≤ maxLat');

const DATE = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
const datetime = z
  .string()
  .transform((s, ctx) => {
    const parts = s.split('/');
    if (parts.length > 2) {
      ctx.addIssue({ code: 'custom', message: 'must be an instant or an interval start/end' });
      return z.NEVER;
    }
    const [start, end = start] = parts as [string, string?];
    for (const p of [start, end]) {
      if (p !== '..' && p !== '' && !DATE.test(p!)) {
        ctx.addIssue({ code: 'custom', message: `"${p}" is not an RFC 3339 date or date-time` });
        return z.NEVER;
      }
    }
    const open = (p: string | undefined) => (p === '..' || p === '' ? null : p!.slice(0, 10));
    return { start: open(start), end: open(end) };
  });

export const AlertQuery = z
  .object({
    bbox: bbox.optional(),
    datetime: datetime.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
    offset: z.coerce.number().int().min(0).default(0),
    status: list(z.string().regex(/^[a-z_]+$/)).optional(),
    severity: list(z.enum(SEVERITIES)).optional(),
    county: list(RegionCode).optional(),
    changeType: list(z.string().regex(/^[a-z_]+$/)).optional(),
  })
  .strict();
export type AlertQuery = z.infer<typeof AlertQuery>;

export class QueryError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Parses query-string parameters; the error names the parameter. Unknown parameters are refused. */
export function parseAlertQuery(params: Record<string, unknown>): AlertQuery {
  const single: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) single[k] = Array.isArray(v) ? v.join(',') : v;
  const parsed = AlertQuery.safeParse(single);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const parameter = String(issue.path[0] ?? (issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys[0] : 'query'));
  const message = issue.code === 'unrecognized_keys' ? `unknown query parameter "${parameter}"` : `query parameter ${parameter}: ${issue.message}`;
  throw new QueryError(parameter, message);
}

/** Status of an alert: its lifecycle status when it has one, else dispatched. */
export function alertStatus(alert: AlertFeature): string {
  return (alert.properties as { status?: string }).status ?? 'dispatched';
}

function changeTypeOf(alert: AlertFeature): string | undefined {
  return (alert.properties as { changeType?: string }).changeType;
}

function bboxIntersects(a: readonly number[], b: readonly number[]): boolean {
  return a[0]! <= b[2]! && b[0]! <= a[2]! && a[1]! <= b[3]! && b[1]! <= a[3]!;
}

export interface QueryResult {
  numberMatched: number;
  features: AlertFeature[];
}

/**
 * The page of `alerts` that matches `query` and lies in `regions` (null: every region).
 * `alerts` may come in any order; the result is in id order.
 */
export function queryAlerts(alerts: readonly AlertFeature[], query: AlertQuery, regions: readonly string[] | null): QueryResult {
  const matched = alerts
    .filter((a) => regions === null || anyRegionCovers(regions, a.properties.regionCode))
    .filter((a) => !query.bbox || bboxIntersects(a.bbox, query.bbox))
    .filter((a) => !query.datetime || ((query.datetime.start === null || a.properties.afterDate >= query.datetime.start) && (query.datetime.end === null || a.properties.afterDate <= query.datetime.end)))
    .filter((a) => !query.status || query.status.includes(alertStatus(a)))
    .filter((a) => !query.severity || query.severity.includes(a.properties.severity))
    .filter((a) => !query.county || query.county.includes(a.properties.regionCode))
    .filter((a) => !query.changeType || query.changeType.includes(changeTypeOf(a) ?? ''))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { numberMatched: matched.length, features: matched.slice(query.offset, query.offset + query.limit) };
}
