import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from './context.js';
import type { IssuedToken } from './grants.js';

/** The live access token a request carries (RFC 6750 §2.1), or undefined if absent, unknown, expired or revoked. */
export function liveAccessToken(ctx: EmulatorContext, req: FastifyRequest): IssuedToken | undefined {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const record = ctx.grants.find(match[1]);
  if (!record || record.kind !== 'access' || ctx.grants.stateOf(record) !== 'active') return undefined;
  return record;
}
