import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ApiError } from '../errors/errors.js';
import { type IdentityResolver, type SerenUser, invalidCredentials } from '../seren/identity.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer pre-handler on the routes of SPEC §3. */
    serenUser: SerenUser | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/i;

/**
 * Resolves `Authorization: Bearer <Seren API key>` to an active Seren user (SPEC §3, §5):
 * missing or malformed → 401 invalid_seren_credentials; not active → 403 seren_account_inactive;
 * too many rejected keys from this client address → 429 rate_limited (SPEC §5).
 */
export function requireSerenUser(identity: IdentityResolver): preHandlerAsyncHookHandler {
  return async function authenticateSerenUser(request: FastifyRequest, _reply: FastifyReply) {
    const key = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!key) throw invalidCredentials();
    const user = await identity.resolve(key, request.ip);
    if (user.status !== 'active') {
      throw new ApiError('seren_account_inactive', `This Seren account is ${user.status}, not active; contact Seren support to reactivate it.`);
    }
    request.serenUser = user;
  };
}

/** The Seren user of a request that passed requireSerenUser. */
export function serenUserOf(request: FastifyRequest): SerenUser {
  if (!request.serenUser) throw new Error('route is missing the requireSerenUser pre-handler');
  return request.serenUser;
}
