import type { FastifyInstance } from 'fastify';
import { landingPage } from '../../pages/landing.js';
import { YOUR_DATA_PATH, yourDataPage } from '../../pages/your-data.js';
import type { AppContext } from '../app.js';
import { sendPage } from './auth-reply.js';

/** GET /: the landing page; GET /privacy: how to disconnect and what is kept, for the person connected. */
export async function landingRoute(app: FastifyInstance, ctx: AppContext) {
  const publishers = [...ctx.config.catalog.values()].map((p) => p.name);
  app.get('/', async (_request, reply) => sendPage(reply, landingPage({ devMode: ctx.config.devMode, publishers, publicUrl: ctx.config.publicUrl })));
  app.get(YOUR_DATA_PATH, async (_request, reply) =>
    sendPage(
      reply,
      yourDataPage({ publishers, connectLinkMinutes: Math.round(ctx.config.connectTokenTtlSeconds / 60), auditRetentionDays: ctx.config.auditRetentionDays }),
    ),
  );
}
