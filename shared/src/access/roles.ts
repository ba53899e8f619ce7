/**
 * Roles and what each may do. Operators bring imagery, enforcers work the cases, auditors see
 * everything in scope and replay detections but change nothing, admins manage teams and endpoints.
 */
export const ROLES = ['operator', 'enforcer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'batches:write', // create batches, upload imagery, commit
  'batches:read',
  'alerts:read', // API items, live feed, exports
  'alerts:transition', // lifecycle changes
  'runs:replay',
  'webhooks:manage', // subscribe endpoints
  'approvals:write', // approval layers (农转用, 设施农用地 …)
  'masks:write', // farmland and red-line layers of regions
  'admin', // tokens and configuration
] as const;
export type Action = (typeof ACTIONS)[number];

const GRANTS: Readonly<Record<Role, readonly Action[]>> = {
  operator: ['batches:write', 'batches:read', 'alerts:read', 'approvals:write', 'masks:write'],
  enforcer: ['batches:read', 'alerts:read', 'alerts:transition', 'webhooks:manage'],
  auditor: ['batches:read', 'alerts:read', 'runs:replay'],
  admin: [...ACTIONS],
};

export function roleAllows(role: Role, action: Action): boolean {
  return GRANTS[role].includes(action);
}
