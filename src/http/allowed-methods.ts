import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods `path` answers to, as an `Allow` header value; undefined for a path we do not serve. */
    allowedMethods(path: string): string | undefined;
  }
}

/**
 * Remembers which methods each path answers to, so a known path asked with the wrong method
 * gets `405` with `Allow` (RFC 9110 §15.5.6) instead of a misleading `404`. Register before the
 * routes. Parametric paths (only the dev-mode emulator has them) are left to the 404 answer.
 */
export function trackAllowedMethods(app: FastifyInstance): void {
  const byPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (/[:*]/.test(route.url)) return;
    const methods = byPath.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    byPath.set(route.url, methods);
  });
  app.decorate('allowedMethods', (path: string) => {
    const methods = byPath.get(path);
    return methods && [...methods].join(', ');
  });
}

/** The request's path without its query. */
export const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0]!;
