import type { ConnectTokenProblem } from '../connect/connect-tokens.js';
import type { GoogleFailureKind } from '../google/errors.js';
import { displayText, maskEmail } from '../text/display-text.js';
import { type RetryForm, retryBlock } from './forms.js';
import { type SafeHtml, html } from './html.js';
import { type Page, page } from './layout.js';

const NEW_LINK = html`<p><strong>To get a new link, ask your agent again:</strong> it receives a fresh one whenever Google is not connected.</p>`;
const NOTHING_STORED = html`<p class="muted">Nothing was stored and nothing you had connected before was changed.</p>`;

/** A page whose first block says what went wrong; `more` follows it. */
const problem = (status: number, title: string, what: SafeHtml, more: SafeHtml = html``, formTargets?: readonly string[]): Page =>
  page(status, title, html`<div class="notice error">${what}</div>
${more}`, formTargets);

/** GET or POST /auth/google with a link that cannot be used: 400 (bad) or 410 (expired, used). */
export function linkProblemPage(kind: ConnectTokenProblem | 'missing'): Page {
  switch (kind) {
    case 'expired':
      return problem(410, 'This link has expired', html`Authorization links work for a limited time only, and this one has run out.`, NEW_LINK);
    case 'used':
      return problem(410, 'This link was already used', html`Authorization links work only once, and this one has been used. If you just connected, you are done: return to your agent.`, NEW_LINK);
    case 'missing':
    case 'malformed':
      return problem(400, 'This link is not complete', html`The link is missing its authorization code or was cut short when it was copied.`, NEW_LINK);
    case 'unknown':
      return problem(400, 'This link is not valid', html`We do not recognise this authorization link.`, NEW_LINK);
  }
}

/**
 * The callback signed in with another Google account than the one this Seren user is linked to:
 * 409, nothing stored (SPEC §4). The linked account is shown masked: whoever holds the link may
 * not own it.
 */
export function otherGoogleAccountPage(v: { linkedEmail: string | null; usedEmail: string | undefined }): Page {
  const linked = v.linkedEmail ? html`<strong>${maskEmail(v.linkedEmail)}</strong>` : html`another Google account`;
  const used = v.usedEmail ? html`<strong><bdi>${displayText(v.usedEmail)}</bdi></strong>` : html`a different account`;
  return problem(
    409,
    'This link is for another Google account',
    html`This Seren account is linked to the Google account ${linked}, and this link can only reconnect that same account. You signed in at Google as ${used}, so nothing was changed.`,
    html`${NOTHING_STORED}
<h2>To reconnect</h2>
<p>Ask your agent for a new link and, at Google, sign in as ${linked}.</p>
<h2>To use another Google account on purpose</h2>
<p>First disconnect the current one (ask your agent to disconnect Google, or send <code>DELETE /token/revoke</code> with your Seren API key), then connect again with a new link.</p>`,
  );
}

/** Why a callback was refused before anything was sent to Google. */
export type CallbackRejection = 'missing_state' | 'no_cookie' | 'unknown' | 'wrong_browser' | 'used' | 'expired' | 'no_code';

const REJECTION_WORDS: Record<CallbackRejection, string> = {
  missing_state: 'The answer from Google is incomplete.',
  no_cookie: 'This browser did not start this sign-in (or blocks the cookie that ties it to you). Finish it in the browser where you pressed Continue.',
  unknown: 'We do not recognise this sign-in.',
  wrong_browser: 'This sign-in was started in another browser, or a newer one was started in this browser.',
  used: 'This sign-in has already been completed.',
  expired: 'This sign-in took too long and expired.',
  no_code: 'The answer from Google is incomplete.',
};

/** GET /auth/google/callback refused: 400, nothing stored (SPEC §4). */
export function callbackRejectedPage(why: CallbackRejection): Page {
  return problem(400, 'This sign-in could not be verified', html`${REJECTION_WORDS[why]}`, html`${NOTHING_STORED}${NEW_LINK}`);
}

const GOOGLE_WORDS: Record<GoogleFailureKind, string> = {
  unavailable: 'Google did not answer in time or is having trouble right now.',
  invalid_grant: 'Google did not accept this sign-in: it may have expired, been used already, or not belong to this browser.',
  rejected: 'Google refused to complete this sign-in.',
  invalid_response: 'Google’s answer could not be verified, so it was not trusted.',
  misconfigured: 'Seren’s connection to Google is misconfigured; this has been logged for the operators.',
};

/** Google failed to redeem the code (or answered with an error): 502, nothing stored (SPEC §4). */
export function googleFailedPage(kind: GoogleFailureKind, retry?: RetryForm): Page {
  return problem(
    502,
    'Google could not complete the connection',
    html`${GOOGLE_WORDS[kind]}`,
    html`${NOTHING_STORED}
${retryBlock(retry, 'Try again', NEW_LINK)}`,
    retry && [retry.googleOrigin],
  );
}

const OAUTH_ERROR = /^[a-z_]{1,64}$/;

/** Google sent back an error other than access_denied; only a well-formed error code is shown. */
export function googleErrorPage(error: string): Page {
  const code = OAUTH_ERROR.test(error) ? html` (Google said: <code>${error}</code>)` : '';
  return problem(502, 'Google could not complete the connection', html`Google ended the sign-in with an error${code}.`, html`${NOTHING_STORED}${NEW_LINK}`);
}

/** Discovery is not loaded and Google cannot be reached: nothing was consumed. */
export function googleUnreachablePage(): Page {
  return problem(503, 'Google is unreachable right now', html`We cannot reach Google at the moment. Your link has not been used: reload this page in a minute.`);
}

export function cancelledPage(): Page {
  return page(200, 'Nothing was connected', html`<div class="notice info">You cancelled. Nothing was connected and nothing changed.</div>
<p>You can close this page. If you opened the link by mistake or someone sent it to you, simply ignore it; it expires on its own.</p>`);
}

/** CSRF token missing or wrong, or a cross-site POST: the link was not used. */
export function forbiddenFormPage(): Page {
  return problem(403, 'This form could not be accepted', html`The form expired or did not come from this page. Your link has not been used: go back, reload the page and press Continue again.`);
}

export function rateLimitedPage(retryAfterSeconds: number | undefined): Page {
  const when = retryAfterSeconds ? `in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : 'in a minute';
  return problem(429, 'Too many requests', html`Too many requests came from your network. Please try again ${when}.`);
}

export function notFoundPage(): Page {
  return problem(404, 'Page not found', html`There is no such page. To connect Google, open the link your agent gave you.`);
}

/** A page asked with a method it does not answer (e.g. reloading a form's target): 405. */
export function methodNotAllowedPage(): Page {
  return problem(405, 'This page cannot be opened this way', html`This address does not answer this kind of request. Open the link your agent gave you instead.`, NEW_LINK);
}

export function badRequestPage(): Page {
  return problem(400, 'Bad request', html`This request could not be understood.`, NEW_LINK);
}

/** Our database is unreachable, or this instance is shutting down: nothing was used or changed. */
export function serviceUnavailablePage(): Page {
  return problem(503, 'Temporarily unavailable', html`This service cannot complete your request right now. Your link has not been used: reload this page in a minute.`);
}

/** 500: the request id lets the operators find what happened if the user reports it. */
export function internalErrorPage(requestId: string): Page {
  return problem(
    500,
    'Something went wrong',
    html`Something went wrong on our side; it has been logged. Nothing was changed. Please try again.`,
    html`<p class="muted">If it keeps happening, tell the service's operators this reference: <code>${requestId}</code></p>`,
  );
}
