export * from './approval-layer.js';
export * from './approval-store.js';
export * from './approval-fields.js';
export { approvalDateOf, approvalKindOf, APPROVAL_FIELDS, type ApprovalField } from './approval-values.js';
