import type { FastifyInstance, FastifyReply } from 'fastify';
import { recordAudit } from '../../audit/audit.js';
import type { CheckedCallback } from '../../flows/flows.js';
import { followUpScopes, grantOutcome } from '../../flows/scopes.js';
import type { RedeemedGrant } from '../../google/client.js';
import { GoogleError } from '../../google/errors.js';
import { AccountSwitchRefused, MissingRefreshTokenError } from '../../grants/grants.js';
import type { RetryForm } from '../../pages/forms.js';
import { connectedPage, deniedPage, missingRefreshTokenPage, partialPage } from '../../pages/outcomes.js';
import { callbackRejectedPage, googleErrorPage, googleFailedPage, otherGoogleAccountPage } from '../../pages/problems.js';
import type { AppContext } from '../app.js';
import { BrowserCookies } from '../browser-cookies.js';
import { authorizationOrigin, sendPage } from './auth-reply.js';
import { FLOW_COOKIE } from './auth-start.js';

/** A fresh one-time form to start again, for the user whose flow just ended in this browser. */
type Retry = (scopes: readonly string[]) => Promise<RetryForm | undefined>;

/**
 * `GET /auth/google/callback` (SPEC §4): state checked and consumed (same browser, unexpired,
 * unused) before anything else; then Google's error, or the code redeemed with the PKCE
 * verifier and the ID token verified; the grant stored with the scopes Google granted.
 */
export async function callbackRoutes(auth: FastifyInstance, ctx: AppContext) {
  const cookies = new BrowserCookies(ctx.config.publicUrl);
  auth.get('/google/callback', async (request, reply) => {
    const params = new URL(request.url, 'http://callback.invalid').searchParams;
    const states = params.getAll('state');
    if (states.length !== 1 || !states[0]) return sendPage(reply, callbackRejectedPage('missing_state'));

    const checked = await ctx.flows.check(states[0], cookies.read(request, FLOW_COOKIE));
    if (typeof checked === 'string') return sendPage(reply, callbackRejectedPage(checked));
    cookies.clear(reply, FLOW_COOKIE);

    const error = params.get('error');
    if (error !== null) return sendPage(reply, error === 'access_denied' ? deniedPage() : googleErrorPage(error));
    if (params.getAll('code').length !== 1) return sendPage(reply, callbackRejectedPage('no_code'));

    const retry: Retry = async (scopes) => {
      const googleOrigin = await authorizationOrigin(ctx.google).catch(() => undefined);
      if (!googleOrigin) return undefined;
      const { serenUserId, account } = checked.flow;
      const { token } = await ctx.connectTokens.issue(serenUserId, scopes, account);
      return { form: { connectToken: token, csrfToken: reply.generateCsrf() }, googleOrigin };
    };
    return completeConnection(ctx, reply, checked, params, retry);
  });
}

async function completeConnection(ctx: AppContext, reply: FastifyReply, checked: CheckedCallback, params: URLSearchParams, retry: Retry) {
  const { flow } = checked;
  let redeemed: RedeemedGrant;
  const backoff = ctx.tokenServices.googleBackoff;
  try {
    // Inside Google's back-off window its token endpoint is not called, for a redemption either (SPEC §3).
    const wait = await backoff.remainingSecondsShared();
    if (wait > 0) throw backoff.refusal();
    redeemed = await checked.redeem(ctx.google, params);
  } catch (err) {
    if (!(err instanceof GoogleError)) throw err;
    await backoff.observe(err);
    reply.log.warn({ err, kind: err.kind }, 'code redemption failed; nothing stored');
    if (err.kind === 'misconfigured') {
      await recordAudit(ctx.db, 'client.misconfigured', flow.serenUserId, { operation: 'code redemption', oauth_error: err.oauthError ?? null });
      return sendPage(reply, googleFailedPage(err.kind));
    }
    return sendPage(reply, googleFailedPage(err.kind, await retry(flow.requestedScopes)));
  }

  // A connection cannot switch Google accounts (SPEC §4): not to another one than the link was
  // pinned to, nor (checked again in the write) than the one connected now.
  if (flow.pinned && flow.pinned.subject !== redeemed.googleSubject) return refuseSwitch(ctx, reply, flow, redeemed, flow.pinned.email);
  try {
    await ctx.grants.saveConnection({
      serenUserId: flow.serenUserId,
      refreshToken: redeemed.refreshToken,
      scopes: redeemed.grantedScopes,
      googleSubject: redeemed.googleSubject,
      googleEmail: redeemed.googleEmail,
      accessToken: redeemed.accessToken,
      accessTokenExpiresAt: new Date(ctx.clock() + redeemed.expiresInSeconds * 1000),
    });
  } catch (err) {
    if (err instanceof AccountSwitchRefused) return refuseSwitch(ctx, reply, flow, redeemed, err.linkedEmail);
    if (!(err instanceof MissingRefreshTokenError)) throw err;
    reply.log.warn('Google returned no refresh token for an account not connected yet; nothing stored');
    return sendPage(reply, missingRefreshTokenPage({ googleEmail: redeemed.googleEmail, retry: await retry(flow.requestedScopes) }));
  }

  // This instance's memory of the old grant must not outlive the reconnection.
  ctx.tokenServices.tokens.forget(flow.serenUserId);
  const outcome = grantOutcome(ctx.config.catalog, flow.requestedScopes, redeemed.grantedScopes);
  await recordAudit(ctx.db, 'grant.connected', flow.serenUserId, {
    google_email: redeemed.googleEmail ?? null,
    scopes: redeemed.grantedScopes,
    missing_scopes: outcome.missing,
  });
  reply.log.info({ serenUserId: flow.serenUserId, complete: outcome.complete }, 'Google account connected');

  const connected = { serenUserId: flow.serenUserId, account: flow.account, googleEmail: redeemed.googleEmail, ready: outcome.ready };
  if (outcome.complete) return sendPage(reply, connectedPage(connected));
  const again = await retry(followUpScopes(ctx.config.catalog, flow.requestedScopes, redeemed.grantedScopes));
  return sendPage(reply, partialPage({ ...connected, requested: outcome.requested, retry: again }));
}

/**
 * Another Google account completed a link of a connected user (a leaked reconnect link, or the
 * wrong account chosen at Google): nothing is stored. Its new grant is not revoked at Google
 * either: a revocation ends the whole grant for our client, which another Seren user's
 * connection to that Google account may be using.
 */
async function refuseSwitch(ctx: AppContext, reply: FastifyReply, flow: CheckedCallback['flow'], redeemed: RedeemedGrant, linkedEmail: string | null) {
  reply.log.warn({ serenUserId: flow.serenUserId }, 'refused a callback signed in with another Google account than the one linked; nothing stored');
  await recordAudit(ctx.db, 'grant.switch_refused', flow.serenUserId, { attempted_google_email: redeemed.googleEmail ?? null });
  return sendPage(reply, otherGoogleAccountPage({ linkedEmail, usedEmail: redeemed.googleEmail }));
}
