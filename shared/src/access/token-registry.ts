/**
 * Bearer tokens per team. The registry holds only SHA-256 digests of the tokens (a leaked registry
 * file does not leak access); a request's token is hashed and looked up by digest. Tokens are long
 * random strings (`generateToken`), so a plain digest is enough: there is nothing to brute-force.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { RegionCode } from '../schemas/manifest.js';
import { ROLES, roleAllows, type Action, type Role } from './roles.js';
import { anyRegionCovers } from './region-scope.js';

const TOKEN_PREFIX = 'sht_';

export const TeamToken = z
  .object({
    team: z.string().min(1).max(100),
    /** Hex SHA-256 of the bearer token. */
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lower-case hex SHA-256 of the token'),
    roles: z.array(z.enum(ROLES)).min(1),
    /** Region codes the team may act on: county, city (…00) or province (…0000). */
    regions: z.array(RegionCode).min(1),
  })
  .strict();
export type TeamToken = z.infer<typeof TeamToken>;

export const TokenRegistryFile = z.object({ tokens: z.array(TeamToken) }).strict();

/** Who is calling, once the token is known. */
export interface Principal {
  team: string;
  roles: readonly Role[];
  regions: readonly string[];
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type AuthFailure = { ok: false; status: 401 | 403; reason: string };
export type AuthResult = { ok: true; principal: Principal } | AuthFailure;

export class TokenRegistry {
  private byDigest: Map<string, Principal>;
  private generationCount = 0;
  private readonly replaceListeners = new Set<() => void>();

  constructor(entries: readonly TeamToken[]) {
    this.byDigest = new Map();
    // Webhook endpoints and uploads belong to a team by name, so a team has one scope: its tokens
    // (several roles, or an old and a new one) must name the same regions.
    const scopeOf = new Map<string, string>();
    for (const entry of entries) {
      if (this.byDigest.has(entry.tokenSha256)) throw new Error(`token registry: team "${entry.team}" reuses another team's token`);
      const scope = [...new Set(entry.regions)].sort().join(',');
      const known = scopeOf.get(entry.team);
      if (known !== undefined && known !== scope) throw new Error(`token registry: team "${entry.team}" has tokens with different regions (${known} and ${scope}); give each scope its own team name`);
      scopeOf.set(entry.team, scope);
      this.byDigest.set(entry.tokenSha256, { team: entry.team, roles: [...entry.roles], regions: [...entry.regions] });
    }
  }

  /**
   * Takes the tokens of `next` in place of these, in one step: every route holding this registry
   * authenticates against the new tokens from its next request on (a revoked token is refused at once).
   */
  replaceWith(next: TokenRegistry): void {
    this.byDigest = next.byDigest;
    this.generationCount++;
    for (const listener of [...this.replaceListeners]) listener();
  }

  /**
   * Calls `listener` after each replaceWith (a long-lived stream re-checks its token then); returns the
   * function that removes it, which the stream calls when it ends.
   */
  onReplace(listener: () => void): () => void {
    this.replaceListeners.add(listener);
    return () => this.replaceListeners.delete(listener);
  }

  /** How many times the tokens were replaced. */
  get generation(): number {
    return this.generationCount;
  }

  /** Teams and tokens held (for the log line of a reload). */
  get size(): { teams: number; tokens: number } {
    return { teams: new Set([...this.byDigest.values()].map((p) => p.team)).size, tokens: this.byDigest.size };
  }

  /** Parses a registry file's JSON text; errors name the entry and field. */
  static parse(text: string, file = 'token registry'): TokenRegistry {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file}: not JSON (${(error as Error).message})`);
    }
    const parsed = TokenRegistryFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new TokenRegistry(parsed.data.tokens);
  }

  /**
   * The regions team `team` may read 图斑 of (what its webhook endpoints may receive), or null when it has
   * no token that may read alerts: a team taken out of the registry, or left with roles that do not read.
   */
  alertScopeOf(team: string): readonly string[] | null {
    for (const p of this.byDigest.values()) {
      if (p.team === team && p.roles.some((r) => roleAllows(r, 'alerts:read'))) return p.regions;
    }
    return null;
  }

  /** The principal of an `Authorization: Bearer …` header value. */
  authenticate(authorization: string | undefined): AuthResult {
    if (!authorization) return { ok: false, status: 401, reason: 'an Authorization: Bearer token is required' };
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) return { ok: false, status: 401, reason: 'Authorization must be "Bearer <token>"' };
    const principal = this.byDigest.get(tokenDigest(match[1]!));
    return principal ? { ok: true, principal } : { ok: false, status: 401, reason: 'unknown token' };
  }
}

/** May `principal` do `action`, on county `county` when the action concerns one? */
export function authorize(principal: Principal, action: Action, county?: string): { ok: true } | AuthFailure {
  if (!principal.roles.some((r) => roleAllows(r, action))) {
    return { ok: false, status: 403, reason: `team ${principal.team} (${principal.roles.join(', ')}) may not ${action}` };
  }
  if (county !== undefined && !anyRegionCovers(principal.regions, county)) {
    return { ok: false, status: 403, reason: `team ${principal.team} has no access to region ${county}` };
  }
  return { ok: true };
}
