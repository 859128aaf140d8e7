import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SIGN_IN_SCOPES } from '../../flows/scopes.js';
import { FLOW_TTL_SECONDS } from '../../flows/flows.js';
import { forbiddenFormPage, linkProblemPage } from '../../pages/problems.js';
import type { AppContext } from '../app.js';
import { type BrowserCookie, BrowserCookies } from '../browser-cookies.js';
import { sendPage, single, withGoogleOrigin } from './auth-reply.js';

/** The cookie that binds an OAuth flow to the browser that started it (SPEC §4): HttpOnly, SameSite=Lax. */
export const FLOW_COOKIE: BrowserCookie = { name: 'sga_flow', sameSite: 'lax', maxAgeSeconds: FLOW_TTL_SECONDS };

/**
 * Defence in depth next to the CSRF token: a browser that says the form came from another site
 * (Sec-Fetch-Site, Origin) is refused before the token is even looked at. `Origin: null` is
 * allowed: under our `Referrer-Policy: no-referrer` Chrome sends exactly that for our own forms.
 */
export function requireSameOrigin(publicUrl: string) {
  const ours = new URL(publicUrl).origin;
  return async function refuseCrossSiteForm(request: FastifyRequest, reply: FastifyReply) {
    const site = single(request.headers['sec-fetch-site']);
    const origin = single(request.headers.origin);
    const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && origin !== 'null' && origin !== ours);
    if (crossSite) {
      request.log.warn({ secFetchSite: site, origin }, 'refused a cross-site POST /auth/google');
      return sendPage(reply, forbiddenFormPage());
    }
  };
}

/**
 * `POST /auth/google` (form: seren_token, _csrf) — consumes the connect token and creates the
 * OAuth flow in one transaction, sets the flow cookie, and answers 303 to Google's
 * authorization endpoint with exactly the parameters of SPEC §4.
 */
export async function startRoutes(auth: FastifyInstance, ctx: AppContext) {
  const cookies = new BrowserCookies(ctx.config.publicUrl);

  auth.post<{ Body: Record<string, unknown> | undefined }>(
    '/google',
    { preHandler: [requireSameOrigin(ctx.config.publicUrl), auth.csrfProtection] },
    async (request, reply) => {
      const token = single(request.body?.seren_token);
      if (!token) return sendPage(reply, linkProblemPage('missing'));
      // Discovery first: when Google is unreachable the link must not be spent.
      return withGoogleOrigin(ctx, reply, async () => {
        const started = await ctx.db.transaction(async (tx) => {
          const intent = await ctx.connectTokens.consume(token, tx);
          if (typeof intent === 'string') return intent;
          const flow = { serenUserId: intent.serenUserId, account: intent.account, requestedScopes: intent.scopes, pinned: intent.pinned };
          return { intent, flow: await ctx.flows.create(tx, flow) };
        });
        if (typeof started === 'string') return sendPage(reply, linkProblemPage(started));
        const { intent, flow } = started;

        // A pinned link names its Google account; so does any link once the user is connected.
        const loginHint = intent.pinned?.email ?? (await ctx.grants.linkedAccount(intent.serenUserId))?.email ?? undefined;
        const url = await ctx.google.authorizationUrl({
          scopes: [...new Set([...SIGN_IN_SCOPES, ...intent.scopes])],
          state: flow.state,
          nonce: flow.nonce,
          codeChallenge: flow.codeChallenge,
          loginHint,
        });
        cookies.set(reply, FLOW_COOKIE, flow.browserSecret);
        return reply
          .header('cache-control', 'no-store')
          .redirect(url.href, 303);
      });
    },
  );
}
