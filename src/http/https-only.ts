import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/errors.js';

/**
 * Operations endpoints (SPEC §9): a container health check or a Prometheus scrape on the pod
 * address has no TLS, and these carry no secret and set no cookie, so they answer plain HTTP.
 */
export const OPERATIONS_ROUTES: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/**
 * Behind a TLS-terminating proxy, a plain-HTTP request would carry API keys and cookies in the
 * clear: refuse it. Only the trusted proxy's `X-Forwarded-Proto` counts (Fastify's `protocol`).
 */
export function refusePlainHttp(app: FastifyInstance): void {
  const refusal = new ApiError('https_required', 'This service only answers over HTTPS.');
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https' || OPERATIONS_ROUTES.has(request.routeOptions.url ?? '')) return;
    // Sent here, not thrown: the same JSON answer under /auth, whose error pages are for real flows.
    return reply.code(refusal.status).header('cache-control', 'no-store').send(refusal.toJSON());
  });
}
