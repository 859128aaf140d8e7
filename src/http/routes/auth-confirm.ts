import type { FastifyInstance } from 'fastify';
import { confirmPage } from '../../pages/confirm.js';
import { groupByPublisher } from '../../pages/permissions.js';
import { cancelledPage, linkProblemPage } from '../../pages/problems.js';
import type { AppContext } from '../app.js';
import { sendPage, single, withGoogleOrigin } from './auth-reply.js';

/**
 * `GET /auth/google?seren_token=…` — the confirmation page (SPEC §4). It only peeks at the
 * connect token: link previews and mail scanners must not burn it.
 * `GET /auth/google/cancel` — Cancel: nothing to undo, the link simply expires.
 */
export async function confirmRoutes(auth: FastifyInstance, ctx: AppContext) {
  auth.get<{ Querystring: Record<string, unknown> }>('/google', async (request, reply) => {
    const token = single(request.query.seren_token);
    if (!token) return sendPage(reply, linkProblemPage('missing'));
    const intent = await ctx.connectTokens.peek(token);
    if (typeof intent === 'string') return sendPage(reply, linkProblemPage(intent));
    return withGoogleOrigin(ctx, reply, async (googleOrigin) => {
      const grant = await ctx.grants.find(intent.serenUserId);
      const page = confirmPage({
        serenUserId: intent.serenUserId,
        account: intent.account,
        groups: groupByPublisher(ctx.config.catalog, intent.scopes),
        connectedGoogleEmail: grant?.googleEmail ?? null,
        expiresInMinutes: Math.max(1, Math.ceil((intent.expiresAt.getTime() - ctx.clock()) / 60_000)),
        form: { connectToken: token, csrfToken: reply.generateCsrf() },
        googleOrigin,
      });
      return sendPage(reply, page);
    });
  });

  auth.get('/google/cancel', async (_request, reply) => sendPage(reply, cancelledPage()));
}
