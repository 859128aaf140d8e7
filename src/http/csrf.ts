import { Tokens } from '@fastify/csrf';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type BrowserCookie, BrowserCookies } from './browser-cookies.js';

/** Holds the browser's CSRF secret: HttpOnly, SameSite=Strict, `__Host-` over HTTPS. */
export const CSRF_COOKIE: BrowserCookie = { name: 'sga_csrf', sameSite: 'strict' };

/** A form whose CSRF token does not match this browser's secret: the auth error pages answer 403. */
export class CsrfRejected extends Error {
  readonly statusCode = 403;
  constructor(why: string) {
    super(`CSRF check failed: ${why}`);
  }
}

/**
 * Synchronizer tokens for the browser flow's forms (OWASP CSRF cheat sheet, "signed double
 * submit"): the secret lives in a cookie, each form carries a salted token derived from it
 * (@fastify/csrf makes and checks them). Our own glue only because the cookie's name depends on
 * the request (`__Host-` over HTTPS), which @fastify/csrf-protection fixes at registration.
 */
export class CsrfTokens {
  private readonly tokens = new Tokens({ userInfo: false });
  /** A secret given out in this very response (a page may hold several forms). */
  private readonly issued = new WeakMap<FastifyReply, string>();

  constructor(private readonly cookies: BrowserCookies) {}

  /** A token for a form on this page; gives the browser its secret cookie first when it has none. */
  tokenFor(reply: FastifyReply): string {
    let secret = this.issued.get(reply) ?? this.cookies.read(reply.request, CSRF_COOKIE);
    if (!secret) {
      secret = this.tokens.secretSync();
      this.cookies.set(reply, CSRF_COOKIE, secret);
      this.issued.set(reply, secret);
    }
    return this.tokens.create(secret);
  }

  /** Throws CsrfRejected unless `token` was made from this browser's secret. */
  check(request: FastifyRequest, token: string | undefined): void {
    const secret = this.cookies.read(request, CSRF_COOKIE);
    if (!secret) throw new CsrfRejected('this browser has no CSRF secret');
    if (!token || !this.tokens.verify(secret, token)) throw new CsrfRejected('the form token does not match');
  }
}

declare module 'fastify' {
  interface FastifyReply {
    /** A CSRF token for a form on this page (sets the secret cookie when the browser has none). */
    generateCsrf(): string;
  }
  interface FastifyInstance {
    /** preHandler of a form POST: refuses (403) a missing or foreign `_csrf` token. */
    csrfProtection: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Gives the routes of this (encapsulated) plugin `reply.generateCsrf()` and `csrfProtection`. */
export function registerCsrf(scope: FastifyInstance, cookies: BrowserCookies): void {
  const csrf = new CsrfTokens(cookies);
  scope.decorateReply('generateCsrf', function generateCsrf(this: FastifyReply) {
    return csrf.tokenFor(this);
  });
  scope.decorate('csrfProtection', async function verifyCsrfToken(request: FastifyRequest) {
    const token = (request.body as Record<string, unknown> | undefined)?._csrf;
    try {
      csrf.check(request, typeof token === 'string' ? token : undefined);
    } catch (err) {
      request.log.info({ reason: (err as Error).message }, 'refused a form POST');
      throw err;
    }
  });
}
