/**
 * The enforcement workflow over HTTP: transitions of a 图斑's case (by an enforcer of its county),
 * its history, the overdue list per county, and false-alarm reasons counted per change type.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  anyRegionCovers,
  CaseConflictError,
  chinaDate,
  isOverdue,
  readCase,
  REASONS,
  RegionCode,
  stableJson,
  STATUSES,
  transitionCase,
  TransitionError,
  validateKey,
  VERDICTS,
  type BlobStore,
  type TokenRegistry,
} from '@shoutu/shared';
import type { AlertSource } from './alert-source.js';
import { ogcError, regionsOf, requireAction } from './auth.js';

const TransitionBody = z
  .object({
    to: z.enum(STATUSES),
    verdict: z.enum(VERDICTS).optional(),
    reason: z.enum(REASONS).optional(),
    note: z.string().max(2000).optional(),
    /** The person acting, within the team whose token is used (recorded in the history). */
    user: z.string().min(1).max(100),
  })
  .strict();

const inScope = (regions: readonly string[] | null, county: string) => regions === null || anyRegionCovers(regions, county);

/** An id from the path that could not name a case in storage (`..`, a slash, control characters): no 图斑. */
function namesNoCase(id: string): boolean {
  if (id.includes('/')) return true;
  try {
    validateKey(`cases/${id}/opened.json`);
    return false;
  } catch {
    return true;
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day (2026-02-30 is not). */
function isDay(s: string): boolean {
  const ms = DAY.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}
const OverdueQuery = z
  .object({
    county: z
      .string()
      .transform((s) => s.split(',').map((v) => v.trim()).filter((v) => v.length > 0))
      .pipe(z.array(RegionCode).min(1))
      .optional(),
    today: z.string().refine(isDay, 'must be a date YYYY-MM-DD').optional(),
  })
  .strict();

/** Parses query parameters with `schema`; a repeated parameter counts as a comma-separated list. */
function parseQuery<T>(schema: z.ZodType<T>, query: unknown): { ok: true; value: T } | { ok: false; message: string } {
  const single: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) single[k] = Array.isArray(v) ? v.join(',') : v;
  const parsed = schema.safeParse(single);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return { ok: false, message: `unknown query parameter "${(issue as { keys: string[] }).keys[0]}"` };
  return { ok: false, message: `query parameter ${String(issue.path[0] ?? 'query')}: ${issue.message}` };
}

export function registerCaseRoutes(app: FastifyInstance, source: AlertSource, store: BlobStore | null, registry: TokenRegistry | null): void {
  const read = requireAction(registry, 'alerts:read');
  const transition = requireAction(registry, 'alerts:transition');

  app.post<{ Params: { id: string } }>('/collections/alerts/items/:id/transitions', { preHandler: transition }, async (request, reply) => {
    const record = store && !namesNoCase(request.params.id) ? await readCase(store, request.params.id) : null;
    if (!store || !record || !inScope(regionsOf(request), record.opening.regionCode)) return ogcError(reply, 404, 'NotFound', `no 图斑 case ${request.params.id}`);
    const parsed = TransitionBody.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return ogcError(reply, 400, 'InvalidParameterValue', `body ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const { user, ...rest } = parsed.data;
    try {
      const at = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const next = await transitionCase(store, request.params.id, { ...rest, at, by: { team: request.principal!.team, user } });
      await source.changed?.(request.params.id);
      return reply.code(201).send({ status: next.status, verdict: next.verdict, entry: next.history[next.history.length - 1] });
    } catch (error) {
      if (error instanceof TransitionError) return ogcError(reply, 409, 'InvalidTransition', `${error.field}: ${error.message}`);
      if (error instanceof CaseConflictError) return ogcError(reply, 409, 'Conflict', error.message);
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/collections/alerts/items/:id/history', { preHandler: read }, async (request, reply) => {
    const record = store && !namesNoCase(request.params.id) ? await readCase(store, request.params.id) : null;
    if (!record || !inScope(regionsOf(request), record.opening.regionCode)) return ogcError(reply, 404, 'NotFound', `no 图斑 case ${request.params.id}`);
    return reply.send({ tubanId: request.params.id, status: record.status, verdict: record.verdict, opening: record.opening, history: record.history });
  });

  app.get('/overdue', { preHandler: read }, async (request, reply) => {
    const query = parseQuery(OverdueQuery, request.query);
    if (!query.ok) return ogcError(reply, 400, 'InvalidParameterValue', query.message);
    const { county, today } = query.value;
    const day = today ?? chinaDate(new Date().toISOString());
    const regions = regionsOf(request);
    const overdue = (await source.all())
      .filter((a) => inScope(regions, a.properties.regionCode) && (!county || county.includes(a.properties.regionCode)))
      .map((a) => a.properties as typeof a.properties & { status?: string; deadline?: string })
      .filter((p) => p.deadline !== undefined && isOverdue(p.deadline, day, p.status ?? 'dispatched'))
      .map((p) => ({ tubanId: p.tubanId, regionCode: p.regionCode, status: p.status, deadline: p.deadline, severity: p.severity, areaMu: p.areaMu }))
      // Earliest deadline first, then 图斑编号: the same list whichever order the source holds them in.
      .sort((a, b) => (a.deadline! < b.deadline! ? -1 : a.deadline! > b.deadline! ? 1 : a.tubanId < b.tubanId ? -1 : a.tubanId > b.tubanId ? 1 : 0));
    const byCounty: Record<string, number> = {};
    for (const o of overdue) byCounty[o.regionCode] = (byCounty[o.regionCode] ?? 0) + 1;
    return reply.type('application/json').send(stableJson({ today: day, count: overdue.length, byCounty, items: overdue }));
  });

  app.get('/stats/false-alarms', { preHandler: read }, async (request, reply) => {
    const query = parseQuery(z.object({}).strict(), request.query);
    if (!query.ok) return ogcError(reply, 400, 'InvalidParameterValue', query.message);
    const regions = regionsOf(request);
    const counts: Record<string, Record<string, number>> = {};
    let judged = 0;
    for (const alert of await source.all()) {
      if (!inScope(regions, alert.properties.regionCode) || !store) continue;
      const record = await readCase(store, alert.id);
      const verdict = record?.history.find((h) => h.to === 'judged');
      if (!verdict) continue;
      judged++;
      if (verdict.verdict !== 'false_alarm') continue;
      const type = record!.opening.changeType ?? 'untyped';
      counts[type] ??= {};
      counts[type]![verdict.reason!] = (counts[type]![verdict.reason!] ?? 0) + 1;
    }
    return reply.type('application/json').send(stableJson({ judged, falseAlarmsByChangeType: counts }));
  });
}
