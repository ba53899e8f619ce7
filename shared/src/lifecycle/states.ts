/**
 * The enforcement lifecycle of a 图斑 (卫片执法 practice):
 *   待核查 dispatched → 核查中 in_review → 已判定 judged (合法 legal / 违法 illegal / 误报 false_alarm)
 *   → 整改中 rectifying (violations only) → 已销号 closed.
 * A patch covered by a valid approval starts as likely_legal and is not dispatched unless an
 * operator dispatches it.
 */
export const STATUSES = ['likely_legal', 'dispatched', 'in_review', 'judged', 'rectifying', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_ZH: Readonly<Record<Status, string>> = {
  likely_legal: '疑似合法',
  dispatched: '待核查',
  in_review: '核查中',
  judged: '已判定',
  rectifying: '整改中',
  closed: '已销号',
};

export const VERDICTS = ['legal', 'illegal', 'false_alarm'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VERDICT_ZH: Readonly<Record<Verdict, string>> = { legal: '合法', illegal: '违法', false_alarm: '误报' };

/** Coded reasons for a verdict, counted per change type so detection can be tuned from field results. */
export const REASONS = ['seasonal_farming', 'facility_agriculture', 'approved', 'cloud_or_shadow', 'misregistration', 'duplicate', 'confirmed_violation', 'other'] as const;
export type Reason = (typeof REASONS)[number];
export const REASON_ZH: Readonly<Record<Reason, string>> = {
  seasonal_farming: '季节性耕作',
  facility_agriculture: '设施农业',
  approved: '已批准用地',
  cloud_or_shadow: '云或阴影',
  misregistration: '配准误差',
  duplicate: '重复图斑',
  confirmed_violation: '确认违法',
  other: '其他',
};

/** Reasons that make sense with each verdict. */
export const REASONS_FOR: Readonly<Record<Verdict, readonly Reason[]>> = {
  legal: ['approved', 'facility_agriculture', 'seasonal_farming', 'other'],
  illegal: ['confirmed_violation', 'other'],
  false_alarm: ['seasonal_farming', 'cloud_or_shadow', 'misregistration', 'duplicate', 'other'],
};
