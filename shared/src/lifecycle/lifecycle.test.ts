import { describe, expect, it } from 'vitest';
import { applyTransition, initialState, TransitionError, type LifecycleState, type TransitionRequest } from './transition.js';
import { chinaDate, isOverdue, verificationDeadline } from './deadline.js';
import { REASONS, REASONS_FOR, STATUS_ZH, VERDICTS } from './states.js';

const by = { team: '海陵区核查组', user: 'zhang.san' };
let clock = 0;
const step = (to: TransitionRequest['to'], extra: Partial<TransitionRequest> = {}): TransitionRequest => ({
  to,
  at: new Date(Date.UTC(2026, 11, 1, 2, clock++)).toISOString(),
  by,
  ...extra,
});

function run(state: LifecycleState, ...requests: TransitionRequest[]): LifecycleState {
  return requests.reduce(applyTransition, state);
}

function expectRefused(fn: () => unknown, field: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TransitionError);
    expect((error as TransitionError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('transition was accepted');
}

describe('图斑 lifecycle', () => {
  it('walks a violation from 待核查 to 已销号 with an append-only history', () => {
    const start = initialState('dispatched');
    const reviewing = applyTransition(start, step('in_review'));
    const judged = applyTransition(reviewing, step('judged', { verdict: 'illegal', reason: 'confirmed_violation', note: '未批先建' }));
    const rectifying = applyTransition(judged, step('rectifying'));
    const closed = applyTransition(rectifying, step('closed', { note: '已拆除复耕' }));
    expect(closed.status).toBe('closed');
    expect(closed.verdict).toBe('illegal');
    expect(closed.history.map((h) => [h.seq, h.from, h.to])).toEqual([
      [1, 'dispatched', 'in_review'],
      [2, 'in_review', 'judged'],
      [3, 'judged', 'rectifying'],
      [4, 'rectifying', 'closed'],
    ]);
    expect(closed.history[1]).toMatchObject({ verdict: 'illegal', reason: 'confirmed_violation', note: '未批先建', by });
    // Earlier states are untouched values: the history only grows.
    expect(reviewing.history).toHaveLength(1);
    expect(judged.history).toHaveLength(2);
    expect(start).toEqual({ status: 'dispatched', verdict: null, history: [] });
    expect(STATUS_ZH[closed.status]).toBe('已销号');
  });

  it('closes false alarms and legal sites straight after judging', () => {
    const falseAlarm = run(initialState('dispatched'), step('in_review'), step('judged', { verdict: 'false_alarm', reason: 'seasonal_farming' }), step('closed'));
    expect(falseAlarm.status).toBe('closed');
    const legal = run(initialState('dispatched'), step('in_review'), step('judged', { verdict: 'legal', reason: 'approved', note: '苏政地〔2026〕12号' }), step('closed'));
    expect(legal.verdict).toBe('legal');
  });

  it('refuses skipped or backward steps and says what is allowed', () => {
    expectRefused(() => applyTransition(initialState('dispatched'), step('judged', { verdict: 'illegal', reason: 'confirmed_violation' })), 'to', /from dispatched to judged \(allowed: in_review\)/);
    const closed = run(initialState('dispatched'), step('in_review'), step('judged', { verdict: 'false_alarm', reason: 'duplicate' }), step('closed'));
    expectRefused(() => applyTransition(closed, step('in_review')), 'to', /closed is final/);
  });

  it('needs a verdict with a fitting coded reason, and a note for "other"', () => {
    const reviewing = applyTransition(initialState('dispatched'), step('in_review'));
    expectRefused(() => applyTransition(reviewing, step('judged')), 'verdict', /needs a verdict/);
    expectRefused(() => applyTransition(reviewing, step('judged', { verdict: 'false_alarm' })), 'reason', /coded reason/);
    expectRefused(() => applyTransition(reviewing, step('judged', { verdict: 'false_alarm', reason: 'approved' })), 'reason', /does not fit a false_alarm/);
    expectRefused(() => applyTransition(reviewing, step('judged', { verdict: 'illegal', reason: 'other' })), 'note', /needs a note/);
    expect(applyTransition(reviewing, step('judged', { verdict: 'illegal', reason: 'other', note: '临时堆放' })).status).toBe('judged');
    for (const verdict of VERDICTS) for (const reason of REASONS_FOR[verdict]) expect(REASONS).toContain(reason);
  });

  it('sends only violations to rectification and closes them only after it', () => {
    const falseAlarm = run(initialState('dispatched'), step('in_review'), step('judged', { verdict: 'false_alarm', reason: 'cloud_or_shadow' }));
    expectRefused(() => applyTransition(falseAlarm, step('rectifying')), 'to', /only a 违法/);
    const illegal = run(initialState('dispatched'), step('in_review'), step('judged', { verdict: 'illegal', reason: 'confirmed_violation' }));
    expectRefused(() => applyTransition(illegal, step('closed')), 'to', /after rectification/);
  });

  it('refuses a bad time, a time before the last transition, and an anonymous user', () => {
    const reviewing = applyTransition(initialState('dispatched'), step('in_review'));
    expectRefused(() => applyTransition(reviewing, { ...step('judged', { verdict: 'illegal', reason: 'confirmed_violation' }), at: '2026-12-01 10:00' }), 'at', /ISO-8601/);
    expectRefused(() => applyTransition(reviewing, { ...step('judged', { verdict: 'illegal', reason: 'confirmed_violation' }), at: '2020-01-01T00:00:00Z' }), 'at', /before the previous/);
    expectRefused(() => applyTransition(reviewing, { ...step('judged', { verdict: 'illegal', reason: 'confirmed_violation' }), by: { team: 't', user: '' } }), 'by', /team and user/);
  });

  it('lets an operator dispatch a likely-legal site', () => {
    expect(applyTransition(initialState('likely_legal'), step('dispatched', { note: '批文已过期' })).status).toBe('dispatched');
  });
});

describe('verification deadline', () => {
  it('is the 10th of the month after dispatch, by the date in Beijing', () => {
    expect(verificationDeadline('2026-11-29T03:00:00Z')).toBe('2026-12-10');
    expect(verificationDeadline('2026-12-05T00:00:00Z')).toBe('2027-01-10');
    // 15:30 UTC on 31 January is 23:30 in Beijing: still January.
    expect(verificationDeadline('2027-01-31T15:30:00Z')).toBe('2027-02-10');
    // 16:30 UTC on 31 January is already 1 February in Beijing.
    expect(verificationDeadline('2027-01-31T16:30:00Z')).toBe('2027-03-10');
    expect(verificationDeadline('2026-11-29T03:00:00Z', 15)).toBe('2026-12-15');
    expect(() => verificationDeadline('2026-11-29T03:00:00Z', 31)).toThrow(/1–28/);
    expect(() => chinaDate('yesterday')).toThrow(/ISO-8601/);
  });

  it('is overdue only while unjudged and after the deadline day', () => {
    expect(isOverdue('2026-12-10', '2026-12-10', 'dispatched')).toBe(false);
    expect(isOverdue('2026-12-10', '2026-12-11', 'dispatched')).toBe(true);
    expect(isOverdue('2026-12-10', '2026-12-11', 'in_review')).toBe(true);
    expect(isOverdue('2026-12-10', '2026-12-11', 'judged')).toBe(false);
  });
});
