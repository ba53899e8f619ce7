import { describe, expect, it } from 'vitest';
import { anyRegionCovers, narrowRegions, regionCovers, regionLevel, regionWithin } from './region-scope.js';
import { ACTIONS, ROLES, roleAllows } from './roles.js';
import { authorize, generateToken, tokenDigest, TokenRegistry, type TeamToken } from './token-registry.js';

describe('region scope by 行政区划代码', () => {
  it('knows province, city and county codes', () => {
    expect(regionLevel('320000')).toBe('province');
    expect(regionLevel('321200')).toBe('city');
    expect(regionLevel('321202')).toBe('county');
    expect(() => regionLevel('32120')).toThrow(/6-digit/);
    expect(() => regionLevel('021202')).toThrow(/6-digit/);
  });

  it('a city covers its counties only, a province its cities’ counties, a county itself', () => {
    expect(regionCovers('321200', '321202')).toBe(true); // 泰州市 → 海陵区
    expect(regionCovers('321200', '321302')).toBe(false); // 泰州市 ↛ 宿迁市宿城区
    expect(regionCovers('320000', '321302')).toBe(true); // 江苏省 → any Jiangsu county
    expect(regionCovers('320000', '330102')).toBe(false);
    expect(regionCovers('321202', '321202')).toBe(true);
    expect(regionCovers('321202', '321203')).toBe(false);
    expect(anyRegionCovers(['321202', '330100'], '330106')).toBe(true);
    expect(anyRegionCovers(['321202', '330100'], '321203')).toBe(false);
  });

  it('a region lies within another only when all of it does', () => {
    expect(regionWithin('321202', '321200')).toBe(true);
    expect(regionWithin('321200', '321200')).toBe(true);
    expect(regionWithin('321200', '320000')).toBe(true);
    expect(regionWithin('320000', '321200')).toBe(false);
    expect(regionWithin('321200', '321202')).toBe(false);
    expect(regionWithin('321300', '321200')).toBe(false);
  });
});

describe('narrowing regions to a scope', () => {
  it('keeps what lies within the scope, cuts a wider region to the scope inside it, drops the rest', () => {
    // scope narrowed from 江苏省 to 泰州市 and 南京市玄武区
    const scope = ['321200', '320102'];
    expect(narrowRegions(['321202', '321203'], scope)).toEqual(['321202', '321203']);
    expect(narrowRegions(['320000'], scope)).toEqual(['320102', '321200']);
    expect(narrowRegions(['320100'], scope)).toEqual(['320102']);
    expect(narrowRegions(['321300', '330100'], scope)).toEqual([]);
    expect(narrowRegions(['321300', '321204'], scope)).toEqual(['321204']);
    // sorted, without a region inside another
    expect(narrowRegions(['321204', '321200', '321202'], ['320000'])).toEqual(['321200']);
    expect(narrowRegions([], scope)).toEqual([]);
  });
});

describe('roles', () => {
  it('auditors read and replay but change nothing; enforcers transition; operators upload; admins do all', () => {
    expect(roleAllows('auditor', 'alerts:read')).toBe(true);
    expect(roleAllows('auditor', 'runs:replay')).toBe(true);
    for (const action of ['alerts:transition', 'batches:write', 'webhooks:manage', 'approvals:write', 'masks:write', 'admin'] as const) {
      expect(roleAllows('auditor', action), action).toBe(false);
    }
    expect(roleAllows('enforcer', 'alerts:transition')).toBe(true);
    expect(roleAllows('enforcer', 'batches:write')).toBe(false);
    expect(roleAllows('operator', 'batches:write')).toBe(true);
    expect(roleAllows('operator', 'masks:write')).toBe(true);
    expect(roleAllows('enforcer', 'masks:write')).toBe(false);
    expect(roleAllows('operator', 'alerts:transition')).toBe(false);
    for (const action of ACTIONS) expect(roleAllows('admin', action)).toBe(true);
    expect(ROLES).toEqual(['operator', 'enforcer', 'auditor', 'admin']);
  });
});

describe('token registry', () => {
  const cityToken = generateToken();
  const countyToken = generateToken();
  const registry = new TokenRegistry([
    { team: '泰州市执法支队', tokenSha256: tokenDigest(cityToken), roles: ['enforcer'], regions: ['321200'] },
    { team: '海陵区核查组', tokenSha256: tokenDigest(countyToken), roles: ['enforcer', 'auditor'], regions: ['321202'] },
  ]);

  it('authenticates bearer tokens by digest and refuses others with 401', () => {
    const city = registry.authenticate(`Bearer ${cityToken}`);
    expect(city).toEqual({ ok: true, principal: { team: '泰州市执法支队', roles: ['enforcer'], regions: ['321200'] } });
    expect(registry.authenticate(`bearer   ${countyToken}`)).toMatchObject({ ok: true });
    expect(registry.authenticate(undefined)).toMatchObject({ ok: false, status: 401 });
    expect(registry.authenticate(`Basic ${cityToken}`)).toMatchObject({ ok: false, status: 401 });
    expect(registry.authenticate(`Bearer ${generateToken()}`)).toEqual({ ok: false, status: 401, reason: 'unknown token' });
  });

  it('scopes actions to regions and roles with 403', () => {
    const city = registry.authenticate(`Bearer ${cityToken}`);
    const county = registry.authenticate(`Bearer ${countyToken}`);
    if (!city.ok || !county.ok) throw new Error('tokens should authenticate');
    expect(authorize(city.principal, 'alerts:transition', '321204')).toEqual({ ok: true });
    expect(authorize(county.principal, 'alerts:read', '321204')).toMatchObject({ ok: false, status: 403, reason: expect.stringContaining('321204') });
    expect(authorize(county.principal, 'runs:replay', '321202')).toEqual({ ok: true });
    expect(authorize(city.principal, 'batches:write')).toMatchObject({ ok: false, status: 403 });
  });

  it("gives a team's alert scope, or null when it has no token that may read alerts", () => {
    const admin = generateToken();
    const operator = generateToken();
    const r = new TokenRegistry([
      { team: '泰州市执法支队', tokenSha256: tokenDigest(cityToken), roles: ['enforcer'], regions: ['321200'] },
      { team: '省厅', tokenSha256: tokenDigest(admin), roles: ['admin'], regions: ['320000'] },
      { team: '外业队', tokenSha256: tokenDigest(operator), roles: ['operator'], regions: ['321202'] },
    ]);
    expect(r.alertScopeOf('泰州市执法支队')).toEqual(['321200']);
    expect(r.alertScopeOf('省厅')).toEqual(['320000']);
    expect(r.alertScopeOf('外业队')).toEqual(['321202']); // operators read alerts too
    expect(r.alertScopeOf('海陵区核查组')).toBeNull();
  });

  it('parses a registry file and names the bad field', () => {
    const good = JSON.stringify({ tokens: [{ team: 't', tokenSha256: tokenDigest('x'), roles: ['auditor'], regions: ['320000'] }] });
    expect(TokenRegistry.parse(good).authenticate('Bearer x')).toMatchObject({ ok: true });
    expect(() => TokenRegistry.parse('{', 'tokens.json')).toThrow(/tokens.json: not JSON/);
    const badRole = JSON.stringify({ tokens: [{ team: 't', tokenSha256: tokenDigest('x'), roles: ['root'], regions: ['320000'] }] });
    expect(() => TokenRegistry.parse(badRole, 'tokens.json')).toThrow(/tokens\.json: tokens\.0\.roles\.0/);
    const plain = JSON.stringify({ tokens: [{ team: 't', tokenSha256: 'my-secret-token', roles: ['auditor'], regions: ['320000'] }] });
    expect(() => TokenRegistry.parse(plain)).toThrow(/tokenSha256: must be the lower-case hex SHA-256/);
    const twice: TeamToken = { team: 't', tokenSha256: tokenDigest('x'), roles: ['auditor'], regions: ['320000'] };
    expect(() => new TokenRegistry([twice, { ...twice, team: 'u', roles: ['auditor'] }])).toThrow(/reuses/);
    // One team, one scope: what a team owns (webhook endpoints, uploads) is shared by its tokens.
    const second: TeamToken = { ...twice, tokenSha256: tokenDigest('y'), roles: ['enforcer'] };
    expect(() => new TokenRegistry([twice, second])).not.toThrow();
    expect(() => new TokenRegistry([twice, { ...second, regions: ['321202'] }])).toThrow(/team "t" has tokens with different regions \(320000 and 321202\)/);
  });
});
