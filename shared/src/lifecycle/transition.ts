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
}

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
  };
  return { status: to, verdict, history: [...state.history, entry] };
}
