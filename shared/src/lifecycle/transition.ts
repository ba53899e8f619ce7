/**
 * Applying a lifecycle transition: checks it is allowed from the current status, that a verdict has
 * a fitting coded reason (and text for "other"), and returns the new state with the transition
 * appended to the history. History entries are never changed or removed; the caller stores each one
 * as an immutable object as well.
 */
import { REASONS_FOR, type Reason, type Status, type Verdict } from './states.js';

export interface HistoryEntry {
  /** 1-based position in the 图斑's history. */
  seq: number;
  from: Status;
  to: Status;
  /** ISO-8601 UTC instant of the transition (given by the caller: the server's clock, not the client's). */
  at: string;
  /** Team and user who made it (from the authenticated token and request). */
  by: { team: string; user: string };
  verdict?: Verdict;
  reason?: Reason;
  note?: string;
  /** Judging: the 图斑 version and area that were judged (what a later regrowth is measured against). */
  judged?: { version: number; areaM2: number };
  /** System redispatch (to: dispatched by shoutu itself): why, which 图斑 version, and the new deadline. */
  redispatch?: { cause: RedispatchCause; version: number; deadline: string };
}

/** Why shoutu sends a 图斑 again (resolve-tuban.ts): it grew beyond the judged area, a 违法 site is seen
 *  again after it was closed, or an approved site outgrew its approvals. */
export const REDISPATCH_CAUSES = ['regrowth', 'repeat_violation', 'approval_exceeded'] as const;
export type RedispatchCause = (typeof REDISPATCH_CAUSES)[number];

/** Who makes system transitions. */
export const SYSTEM_ACTOR = { team: 'shoutu', user: 'system' } as const;

export interface LifecycleState {
  status: Status;
  verdict: Verdict | null;
  history: readonly HistoryEntry[];
}

export interface TransitionRequest {
  to: Status;
  at: string;
  by: { team: string; user: string };
  verdict?: Verdict;
  reason?: Reason;
  note?: string;
  /** Set by the case store when judging (not by the client). */
  judged?: { version: number; areaM2: number };
}

export class TransitionError extends Error {
  constructor(
    readonly field: 'to' | 'verdict' | 'reason' | 'note' | 'at' | 'by',
    message: string,
  ) {
    super(message);
    this.name = 'TransitionError';
  }
}

const NEXT: Readonly<Record<Status, readonly Status[]>> = {
  likely_legal: ['dispatched', 'closed'],
  dispatched: ['in_review'],
  in_review: ['judged'],
  judged: ['rectifying', 'closed'],
  rectifying: ['closed'],
  closed: [],
};

const MAX_NOTE = 2000;

export function initialState(status: 'dispatched' | 'likely_legal'): LifecycleState {
  return { status, verdict: null, history: [] };
}

export function applyTransition(state: LifecycleState, request: TransitionRequest): LifecycleState {
  const { to } = request;
  if (!NEXT[state.status].includes(to)) {
    const allowed = NEXT[state.status];
    throw new TransitionError('to', `cannot go from ${state.status} to ${to}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (closed is final)'}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(request.at)) throw new TransitionError('at', `at "${request.at}" must be an ISO-8601 UTC instant`);
  const last = state.history[state.history.length - 1];
  if (last && request.at < last.at) throw new TransitionError('at', `at ${request.at} is before the previous transition (${last.at})`);
  if (!request.by.team || !request.by.user) throw new TransitionError('by', 'a transition needs the team and user who make it');
  if (request.note !== undefined && request.note.length > MAX_NOTE) throw new TransitionError('note', `note is longer than ${MAX_NOTE} characters`);

  let verdict = state.verdict;
  if (to === 'judged') {
    if (!request.verdict) throw new TransitionError('verdict', 'judging needs a verdict: legal, illegal or false_alarm');
    if (!request.reason) throw new TransitionError('reason', `a ${request.verdict} verdict needs a coded reason (${REASONS_FOR[request.verdict].join(', ')})`);
    if (!REASONS_FOR[request.verdict].includes(request.reason)) {
      throw new TransitionError('reason', `reason ${request.reason} does not fit a ${request.verdict} verdict (${REASONS_FOR[request.verdict].join(', ')})`);
    }
    verdict = request.verdict;
  } else if (request.verdict !== undefined) {
    throw new TransitionError('verdict', 'a verdict is given only when judging');
  }
  if (request.reason === 'other' && !request.note?.trim()) throw new TransitionError('note', 'reason "other" needs a note saying what it is');
  if (to === 'rectifying' && verdict !== 'illegal') throw new TransitionError('to', 'only a 违法 (illegal) verdict goes to rectification');
  if (to === 'closed' && state.status === 'judged' && verdict === 'illegal') throw new TransitionError('to', 'an illegal site is closed only after rectification');

  const entry: HistoryEntry = {
    seq: state.history.length + 1,
    from: state.status,
    to,
    at: request.at,
    by: { team: request.by.team, user: request.by.user },
    ...(request.verdict === undefined ? {} : { verdict: request.verdict }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(request.note === undefined ? {} : { note: request.note }),
    ...(to === 'judged' && request.judged ? { judged: request.judged } : {}),
  };
  return { status: to, verdict, history: [...state.history, entry] };
}

/**
 * A system redispatch: back to 待核查 from wherever the case stands (except already dispatched), with a
 * new deadline; the verdict is cleared, since the site is to be verified again. Only shoutu makes these
 * (the API's transition schema cannot express them).
 */
export function applyRedispatch(state: LifecycleState, at: string, redispatch: HistoryEntry['redispatch'] & object): LifecycleState {
  if (state.status === 'dispatched') return state;
  const entry: HistoryEntry = { seq: state.history.length + 1, from: state.status, to: 'dispatched', at, by: { ...SYSTEM_ACTOR }, redispatch };
  return { status: 'dispatched', verdict: null, history: [...state.history, entry] };
}
