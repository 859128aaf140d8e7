import type { FastifyInstance } from 'fastify';
import { scopesToRequest, publisherFrom } from '../../publishers/scopes.js';
import type { AppContext } from '../app.js';
import { requireSerenUser, serenUserOf } from '../bearer.js';

/** `POST /token/connect-link[?publisher=<slug>]`: an authorization link before the first call (SPEC §3). */
export async function connectLinkRoute(app: FastifyInstance, ctx: AppContext) {
  app.post<{ Querystring: { publisher?: string } }>(
    '/token/connect-link',
    {
      schema: {
        querystring: { type: 'object', properties: { publisher: { type: 'string', maxLength: 64 } }, additionalProperties: false },
      },
      preHandler: [requireSerenUser(ctx.identity), ctx.tokenServices.userRateLimit],
    },
    async (request, reply) => {
      const user = serenUserOf(request);
      const publisher = publisherFrom(ctx.config.catalog, request.query.publisher);
      const grant = await ctx.grants.find(user.id);
      const scopes = scopesToRequest(ctx.config.catalog, publisher, grant?.scopes);
      const link = await ctx.connectTokens.issue(user.id, scopes, { name: user.name, email: user.email });
      return reply.header('cache-control', 'no-store').send({ authorization_url: link.url, expires_in: link.expiresInSeconds });
    },
  );
}
