import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { requireSerenUser, serenUserOf } from '../bearer.js';

/** `DELETE /token/revoke`: disconnect at once, then revoke at Google (SPEC §3). */
export async function tokenRevokeRoute(app: FastifyInstance, ctx: AppContext) {
  // Clients send DELETE with or without a body; it is ignored.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.delete(
    '/token/revoke',
    { preHandler: [requireSerenUser(ctx.identity), ctx.tokenServices.userRateLimit] },
    async (request, reply) => {
      const answer = await ctx.tokenServices.disconnects.disconnect(serenUserOf(request).id);
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );
}
