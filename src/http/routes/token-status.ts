import type { FastifyInstance } from 'fastify';
import { missingScopes } from '../../publishers/scopes.js';
import type { AppContext } from '../app.js';
import { requireSerenUser, serenUserOf } from '../bearer.js';

/** `GET /token/status`: the user's Google connection and what each publisher can do with it (SPEC §3). */
export async function tokenStatusRoute(app: FastifyInstance, ctx: AppContext) {
  app.get(
    '/token/status',
    { preHandler: [requireSerenUser(ctx.identity), ctx.tokenServices.userRateLimit] },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const grant = await ctx.grants.find(serenUserOf(request).id);
      if (!grant) return { connected: false, message: 'Google account not connected' };
      const active = grant.status === 'active';
      const publishers: Record<string, { authorized: boolean; missing_scopes?: string[] }> = {};
      for (const [slug, publisher] of ctx.config.catalog) {
        const missing = missingScopes(grant.scopes, publisher.scopes);
        publishers[slug] = missing.length > 0 ? { authorized: false, missing_scopes: missing } : { authorized: active };
      }
      return {
        connected: true,
        status: grant.status,
        ...(active ? {} : { message: 'Google refused the stored grant; reconnect your Google account (the next exchange answers with a link).' }),
        google_email: grant.googleEmail,
        scopes: grant.scopes,
        connected_at: grant.connectedAt.toISOString(),
        last_refreshed_at: grant.lastRefreshedAt?.toISOString() ?? null,
        publishers,
      };
    },
  );
}
