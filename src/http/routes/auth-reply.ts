import type { FastifyReply } from 'fastify';
import type { GoogleClient } from '../../google/client.js';
import { GoogleError } from '../../google/errors.js';
import type { Page } from '../../pages/layout.js';
import { googleUnreachablePage } from '../../pages/problems.js';
import type { AppContext } from '../app.js';

/**
 * Sends a page: HTML, never cached (pages carry connect and CSRF tokens), and, when its forms
 * lead to Google, a CSP whose form-action also allows Google's origin: Chrome applies
 * form-action to the redirect that follows a form POST.
 */
export function sendPage(reply: FastifyReply, page: Page): FastifyReply {
  reply.code(page.status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
  if (page.formTargets?.length) {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string') reply.header('content-security-policy', widenFormAction(csp, page.formTargets));
  }
  return reply.send(page.body);
}

/** Adds origins to a policy's form-action directive (keeping everything else as helmet set it). */
export function widenFormAction(policy: string, origins: readonly string[]): string {
  const directives = policy.split(';').map((d) => d.trim()).filter(Boolean);
  const i = directives.findIndex((d) => d.split(/\s+/)[0] === 'form-action');
  const current = i >= 0 ? directives[i]!.split(/\s+/).slice(1) : ["'self'"];
  const widened = `form-action ${[...new Set([...current, ...origins])].join(' ')}`;
  if (i >= 0) directives[i] = widened;
  else directives.push(widened);
  return directives.join(';');
}

/** The origin of the authorization endpoint found by discovery (throws a GoogleError while Google is unreachable). */
export async function authorizationOrigin(google: GoogleClient): Promise<string> {
  const endpoint = (await google.discover()).serverMetadata().authorization_endpoint;
  if (!endpoint) throw new Error('discovery has no authorization_endpoint');
  return new URL(endpoint).origin;
}

/** A query or form value that appears exactly once. */
export const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Runs `fn`, or answers the "Google is unreachable" page when discovery cannot load (nothing consumed). */
export async function withGoogleOrigin(ctx: AppContext, reply: FastifyReply, fn: (origin: string) => Promise<FastifyReply>) {
  let origin: string;
  try {
    origin = await authorizationOrigin(ctx.google);
  } catch (err) {
    if (!(err instanceof GoogleError)) throw err;
    ctx.pageFailures.write('warn', `discovery|${err.message}`, { err }, 'Google discovery unavailable for a browser page');
    return sendPage(reply, googleUnreachablePage());
  }
  return fn(origin);
}
