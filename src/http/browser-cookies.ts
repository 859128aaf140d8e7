import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A cookie of the browser flow: its name without prefix, SameSite, and lifetime (none: session). */
export interface BrowserCookie {
  readonly name: string;
  readonly sameSite: 'lax' | 'strict';
  readonly maxAgeSeconds?: number;
}

/** Over plain HTTP (dev mode) cookies are scoped to the only requests that need them. */
export const PLAIN_HTTP_COOKIE_PATH = '/auth/google';

/**
 * The browser flow's cookies (SPEC §4). Over HTTPS (the request arrived over HTTPS, directly or
 * at a trusted proxy, or PUBLIC_URL is https) each one is `__Host-<name>`: Secure, `Path=/`, no
 * `Domain`, which browsers accept only from this very host, so a sibling subdomain can neither
 * plant nor shadow it (RFC 6265bis "cookie name prefixes"; OWASP session management). Only the
 * prefixed name is read then: an unprefixed cookie someone planted is ignored. Over plain HTTP
 * (a developer on localhost) the prefix cannot be used; the bare name is scoped to /auth/google.
 */
export class BrowserCookies {
  private readonly publicUrlIsHttps: boolean;

  constructor(publicUrl: string) {
    this.publicUrlIsHttps = publicUrl.startsWith('https://');
  }

  overHttps(request: FastifyRequest): boolean {
    return this.publicUrlIsHttps || request.protocol === 'https';
  }

  /** The name this request's browser knows the cookie by. */
  nameOf(request: FastifyRequest, cookie: BrowserCookie): string {
    return this.overHttps(request) ? `__Host-${cookie.name}` : cookie.name;
  }

  read(request: FastifyRequest, cookie: BrowserCookie): string | undefined {
    return request.cookies[this.nameOf(request, cookie)];
  }

  set(reply: FastifyReply, cookie: BrowserCookie, value: string): void {
    const opts: CookieSerializeOptions = { ...this.scope(reply.request), httpOnly: true, sameSite: cookie.sameSite };
    if (cookie.maxAgeSeconds !== undefined) opts.maxAge = cookie.maxAgeSeconds;
    reply.setCookie(this.nameOf(reply.request, cookie), value, opts);
  }

  clear(reply: FastifyReply, cookie: BrowserCookie): void {
    reply.clearCookie(this.nameOf(reply.request, cookie), { ...this.scope(reply.request), httpOnly: true, sameSite: cookie.sameSite });
  }

  private scope(request: FastifyRequest): { path: string; secure: boolean } {
    return this.overHttps(request) ? { path: '/', secure: true } : { path: PLAIN_HTTP_COOKIE_PATH, secure: false };
  }
}
