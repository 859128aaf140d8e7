import type { FastifyInstance } from 'fastify';
import { PATHS, endpointUrl } from './context.js';
import type { EmulatorContext } from './context.js';
import { gate } from './gate.js';

/** OpenID Connect Discovery 1.0 §3 metadata, shaped like accounts.google.com's. */
export function discoveryDocument(ctx: EmulatorContext): Record<string, unknown> {
  const url = (path: string) => endpointUrl(ctx, path);
  return {
    issuer: ctx.issuer(),
    authorization_endpoint: url(PATHS.authorize),
    token_endpoint: url(PATHS.token),
    userinfo_endpoint: url(PATHS.userinfo),
    revocation_endpoint: url(PATHS.revoke),
    jwks_uri: url(PATHS.jwks),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_supported: ['aud', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub', 'azp', 'nonce', 'at_hash'],
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
  };
}

export function registerDiscoveryRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get(PATHS.discovery, { preHandler: gate(ctx, () => ['discovery'], 'discovery') }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').send(discoveryDocument(ctx)),
  );

  app.get(PATHS.jwks, { preHandler: gate(ctx, () => ['jwks'], 'jwks') }, async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').send(await ctx.keys.jwks()),
  );
}
