import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize, type Action, type Principal, type TokenRegistry } from '@shoutu/shared';

/** Anyone, read-only, every region: only for an API bound to loopback without a token registry. */
export const LOCAL_READER: Principal = Object.freeze({ team: 'local', roles: ['auditor'] as const, regions: [] as string[] });

/** Regions a request may see: null for every region (the local reader). */
export function regionsOf(request: FastifyRequest): readonly string[] | null {
  const principal = request.principal;
  if (!principal) throw new Error('route has no authentication step');
  return principal === LOCAL_READER ? null : principal.regions;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function ogcError(reply: FastifyReply, status: number, code: string, description: string): FastifyReply {
  return reply.code(status).type('application/json').send({ code, description });
}

/** Authenticates the request (bearer token) and checks that its principal may do `action`. */
export function requireAction(registry: TokenRegistry | null, action: Action) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    let principal = LOCAL_READER;
    if (registry) {
      const auth = registry.authenticate(request.headers.authorization);
      if (!auth.ok) {
        reply.header('www-authenticate', 'Bearer');
        return ogcError(reply, auth.status, 'Unauthorized', auth.reason);
      }
      principal = auth.principal;
    }
    const allowed = authorize(principal, action);
    if (!allowed.ok) return ogcError(reply, allowed.status, 'Forbidden', allowed.reason);
    request.principal = principal;
  };
}
