import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { ICON, ICON_PATH, STYLESHEET, STYLESHEET_PATH } from '../../pages/style.js';
import type { AppContext } from '../app.js';
import { BrowserCookies } from '../browser-cookies.js';
import { registerCsrf } from '../csrf.js';
import { callbackRoutes } from './auth-callback.js';
import { confirmRoutes } from './auth-confirm.js';
import { registerAuthErrorPages } from './auth-errors.js';
import { startRoutes } from './auth-start.js';

/**
 * The browser side (SPEC §4): `/auth/google` (confirm, start), `/auth/google/callback`,
 * `/auth/google/cancel`, and the pages' stylesheet and icon. Everything under /auth shares one
 * rate limit per client address, CSRF tokens and HTML error pages; none of it reaches the JSON API.
 */
export async function authRoutes(app: FastifyInstance, ctx: AppContext) {
  const asset = (path: string, type: string, body: string) =>
    app.get(path, { logLevel: 'warn' }, async (_request, reply) =>
      reply.header('content-type', type).header('cache-control', 'public, max-age=3600').send(body),
    );
  asset(STYLESHEET_PATH, 'text/css; charset=utf-8', STYLESHEET);
  asset(ICON_PATH, 'image/svg+xml', ICON);

  await app.register(
    async (auth) => {
      // One budget for all of /auth per address (not one per route): a flow is three requests.
      const limit = auth.rateLimit({ max: ctx.config.authRateLimitPerMinute, timeWindow: '1 minute' });
      auth.addHook('onRequest', limit as onRequestAsyncHookHandler);
      // The CSRF secret lives in a SameSite=Strict HttpOnly cookie; forms carry a salted token derived from it.
      registerCsrf(auth, new BrowserCookies(ctx.config.publicUrl));
      registerAuthErrorPages(auth, ctx.pageFailures);
      await auth.register(confirmRoutes, ctx);
      await auth.register(startRoutes, ctx);
      await auth.register(callbackRoutes, ctx);
    },
    { prefix: '/auth' },
  );
}
