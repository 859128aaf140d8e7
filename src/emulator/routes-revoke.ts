import type { FastifyInstance } from 'fastify';
import { authenticateClientIfPresent } from './client-auth.js';
import { PATHS } from './context.js';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import { singleValuedForm } from './form.js';
import { gate } from './gate.js';

/**
 * Token revocation (RFC 7009), the Google way: revoking any token of a grant revokes the whole
 * grant, and an unknown or already revoked token is a 400 `invalid_token`.
 */
export function registerRevokeRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post(PATHS.revoke, { preHandler: gate(ctx, () => ['revoke'], 'revoke') }, async (req, reply) => {
    const form = singleValuedForm(req.body);
    const query = req.query as Record<string, unknown>;
    const token = form.token ?? (typeof query.token === 'string' ? query.token : undefined);
    if (!token) throw new OAuthError('invalid_request', 'Missing required parameter: token');
    const client = authenticateClientIfPresent(ctx, req.headers.authorization, form);
    const record = ctx.grants.find(token);
    if (!record || ctx.grants.stateOf(record) === 'revoked' || (client && client.clientId !== record.grant.clientId)) {
      throw new OAuthError('invalid_token', 'Token expired or revoked');
    }
    ctx.grants.revokeGrant(record.grant);
    return reply.header('cache-control', 'no-store').send({});
  });
}
