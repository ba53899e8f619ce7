/**
 * The enforcement case of each 图斑, kept in storage as write-once objects only:
 *   cases/<id>/opened.json           when and how the 图斑 was dispatched (deadline, county, change type);
 *   cases/<id>/history/<seq>.json    one object per lifecycle transition, never rewritten.
 * The current status is the fold of the history over the opening, so there is no mutable record to
 * lose or corrupt, an auditor can replay it, and two concurrent transitions cannot both win: the
 * second finds its sequence number taken and is told to retry.
 */
import { readJsonAll, type BlobStore } from '../storage/index.js';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { forEachTuban, type AlertSink } from '../alerts/alert-sink.js';
import { stableJson } from '../util/stable-json.js';
import { applyRedispatch, applyTransition, initialState, type HistoryEntry, type LifecycleState, type RedispatchCause, type TransitionRequest } from '../lifecycle/transition.js';
import { keys } from '../catalog/keys.js';
import { verificationDeadline } from '../lifecycle/deadline.js';

export interface CaseOpening {
  tubanId: string;
  regionCode: string;
  changeType: string | null;
  initialStatus: 'dispatched' | 'likely_legal';
  /** ISO-8601 UTC instant the 图斑 was dispatched (the alert stage's clock). */
  dispatchedAt: string;
  /** Verification deadline (China date). */
  deadline: string;
}

export interface CaseRecord extends LifecycleState {
  opening: CaseOpening;
  /** Current verification deadline: the opening's, or the latest redispatch's. */
  deadline: string;
}

export class CaseConflictError extends Error {
  constructor(readonly tubanId: string) {
    super(`图斑 ${tubanId} changed while this transition was made; read it again and retry`);
    this.name = 'CaseConflictError';
  }
}

const openedKey = (id: string) => `cases/${id}/opened.json`;
const historyPrefix = (id: string) => `cases/${id}/history/`;
const historyKey = (id: string, seq: number) => `${historyPrefix(id)}${String(seq).padStart(6, '0')}.json`;
const decode = <T>(bytes: Uint8Array): T => JSON.parse(Buffer.from(bytes).toString('utf8')) as T;

/** Opens the case of a new 图斑 (idempotent: a second call keeps the first opening). */
export async function openCase(store: BlobStore, alert: AlertFeature, dispatchedAt: string): Promise<void> {
  const props = alert.properties as AlertFeature['properties'] & { changeType?: string; likelyLegal?: boolean };
  const opening: CaseOpening = {
    tubanId: alert.id,
    regionCode: props.regionCode,
    changeType: props.changeType ?? null,
    initialStatus: props.likelyLegal ? 'likely_legal' : 'dispatched',
    dispatchedAt,
    deadline: verificationDeadline(dispatchedAt),
  };
  await store.putIfAbsent(openedKey(alert.id), stableJson(opening, 2), { contentType: 'application/json' });
}

export async function readCase(store: BlobStore, tubanId: string): Promise<CaseRecord | null> {
  const opened = await store.getOrNull(openedKey(tubanId));
  if (!opened) return null;
  const opening = decode<CaseOpening>(opened);
  let state = initialState(opening.initialStatus);
  const history = await readJsonAll<HistoryEntry>(store, await store.list(historyPrefix(tubanId)));
  let deadline = opening.deadline;
  for (const entry of history) {
    const verdict = entry.redispatch ? null : (entry.verdict ?? state.verdict);
    state = { status: entry.to, verdict, history: [...state.history, entry] };
    if (entry.redispatch) deadline = entry.redispatch.deadline;
  }
  return { ...state, opening, deadline };
}

/** Applies a transition and stores it as the next history object; returns the new case. */
export async function transitionCase(store: BlobStore, tubanId: string, request: TransitionRequest): Promise<CaseRecord> {
  const current = await readCase(store, tubanId);
  if (!current) throw new Error(`图斑 ${tubanId} has no case`);
  // A verdict records what it judged: the 图斑's version and area, so a later regrowth is measured from it.
  const judged = request.to === 'judged' ? await judgedSnapshot(store, tubanId) : undefined;
  const next = applyTransition(current, { ...request, ...(judged ? { judged } : {}) }); // throws TransitionError naming the field
  const entry = next.history[next.history.length - 1]!;
  const written = await store.putIfAbsent(historyKey(tubanId, entry.seq), stableJson(entry, 2), { contentType: 'application/json' });
  if (!written) throw new CaseConflictError(tubanId);
  return { ...next, opening: current.opening, deadline: current.deadline };
}

async function judgedSnapshot(store: BlobStore, tubanId: string): Promise<{ version: number; areaM2: number } | undefined> {
  const bytes = await store.getOrNull(keys.alert(tubanId));
  if (!bytes) return undefined;
  const { properties } = decode<AlertFeature>(bytes);
  return { version: properties.version ?? 1, areaM2: properties.areaM2 };
}

/**
 * Sends a 图斑 again (system transition to 待核查 with a new deadline). Idempotent per 图斑 version: a
 * re-run of the batch finds its redispatch already in the history and adds nothing.
 */
export async function redispatchCase(store: BlobStore, tubanId: string, version: number, cause: RedispatchCause, at: string): Promise<CaseRecord | null> {
  const current = await readCase(store, tubanId);
  if (!current) return null;
  if (current.history.some((e) => e.redispatch?.version === version)) return current;
  const next = applyRedispatch(current, at, { cause, version, deadline: verificationDeadline(at) });
  if (next === current) return current;
  const entry = next.history[next.history.length - 1]!;
  const written = await store.putIfAbsent(historyKey(tubanId, entry.seq), stableJson(entry, 2), { contentType: 'application/json' });
  if (!written) throw new CaseConflictError(tubanId);
  return readCase(store, tubanId);
}

/**
 * Wraps an alert sink so that every announced 图斑 also gets its case opened, on the given clock, before
 * the sink it wraps sees it. `prepare` opens the cases of a batch's versions many at a time; publish then
 * opens only those not prepared.
 */
export function withCaseOpening(inner: AlertSink, store: BlobStore, now: () => Date = () => new Date()): AlertSink {
  const opened = new WeakSet<AlertFeature>();
  const open = async (alert: AlertFeature): Promise<void> => {
    const at = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await openCase(store, alert, at);
    const { dispatch, version } = alert.properties;
    if (dispatch === 'redispatch' && version !== undefined) await redispatchCase(store, alert.id, version, alert.properties.redispatchCause ?? 'regrowth', at);
    opened.add(alert);
  };
  return {
    async prepare(alerts) {
      await forEachTuban(alerts, open);
      await inner.prepare?.(alerts);
    },
    async publish(alert) {
      if (!opened.has(alert)) await open(alert);
      opened.delete(alert);
      return inner.publish(alert);
    },
  };
}

