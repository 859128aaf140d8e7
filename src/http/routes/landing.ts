import type { FastifyInstance } from 'fastify';
import { landingPage } from '../../pages/landing.js';
import type { AppContext } from '../app.js';
import { sendPage } from './auth-reply.js';

/** GET /: the landing page. */
export async function landingRoute(app: FastifyInstance, ctx: AppContext) {
  app.get('/', { schema: { summary: 'Landing page (HTML)', tags: ['pages'] } }, async (_request, reply) =>
    sendPage(reply, landingPage({ devMode: ctx.config.devMode, publishers: [...ctx.config.catalog.values()].map((p) => p.name) })),
  );
}
