import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EndpointName } from './calls.js';
import { authenticateClient } from './client-auth.js';
import { PATHS } from './context.js';
import type { EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import { singleValuedForm } from './form.js';
import { gate } from './gate.js';
import { redeemCode } from './grant-code.js';
import { refresh } from './grant-refresh.js';
import type { EmulatorClient } from './options.js';
import type { TokenResponse } from './token-response.js';

/** The token endpoint (RFC 6749 §3.2): authenticate the client, then dispatch on `grant_type`. */
export function registerTokenRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  const counters = (req: FastifyRequest): EndpointName[] => (isRefreshRequest(req) ? ['token', 'token_refresh'] : ['token']);
  app.post(PATHS.token, { preHandler: gate(ctx, counters, 'token') }, async (req, reply) => {
    requireFormBody(req);
    const form = singleValuedForm(req.body);
    const client = authenticateClient(ctx, req.headers.authorization, form);
    const body = await grant(ctx, client, form);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(body);
  });
}

function grant(ctx: EmulatorContext, client: EmulatorClient, form: Record<string, string>): Promise<TokenResponse> {
  switch (form.grant_type) {
    case 'authorization_code':
      return redeemCode(ctx, client, form);
    case 'refresh_token':
      return refresh(ctx, client, form);
    case undefined:
      throw new OAuthError('invalid_request', 'Missing required parameter: grant_type');
    default:
      throw new OAuthError('unsupported_grant_type', `Unsupported grant_type: ${form.grant_type}`);
  }
}

function isRefreshRequest(req: FastifyRequest): boolean {
  const body = req.body as Record<string, unknown> | undefined;
  return body?.grant_type === 'refresh_token';
}

function requireFormBody(req: FastifyRequest): void {
  if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
}
