import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { requireMetricsToken } from '../metrics-token.js';

/** `GET /metrics` in the Prometheus text format (SPEC §9), behind METRICS_TOKEN when set. */
export async function metricsRoute(app: FastifyInstance, ctx: AppContext) {
  app.get('/metrics', { logLevel: 'warn', onRequest: requireMetricsToken(ctx.config.metricsToken) }, async (_request, reply) => {
    const { contentType, body } = await ctx.tokenServices.metrics.render();
    return reply.header('cache-control', 'no-store').type(contentType).send(body);
  });
}
