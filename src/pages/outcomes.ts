import type { SerenAccountLabel } from '../connect/connect-tokens.js';
import type { PublisherGrant } from '../flows/scopes.js';
import type { Publisher } from '../publishers/catalog.js';
import { serenAccount } from './account.js';
import { displayText } from '../text/display-text.js';
import { ASK_AGENT, type RetryForm, retryBlock } from './forms.js';
import { type SafeHtml, html } from './html.js';
import { type Page, page } from './layout.js';
import { publisherReason, scopeList } from './permissions.js';

export interface ConnectedView {
  serenUserId: string;
  account: SerenAccountLabel;
  googleEmail: string | undefined;
  /** Publishers whose scopes are all granted now. */
  ready: readonly Publisher[];
}

const RETURN_TO_AGENT = html`<p><strong>Return to your agent and retry the request.</strong> You can close this page.</p>`;

const googleAccount = (email: string | undefined) => (email ? html`<strong><bdi>${displayText(email)}</bdi></strong>` : html`your Google account`);

function linked(v: ConnectedView): SafeHtml {
  return html`<p>Google account ${googleAccount(v.googleEmail)} is now linked to this Seren account:</p>
${serenAccount(v.serenUserId, v.account)}`;
}

function readyList(ready: readonly Publisher[]): SafeHtml {
  if (ready.length === 0) return html``;
  return html`<h2>What your agent can use now</h2>
${ready.map((p) => html`<div class="group"><h3>${p.name}</h3><p class="why">${publisherReason(p)}</p>${scopeList(p.scopes)}</div>`)}`;
}

/** Everything asked was granted (SPEC §4). */
export function connectedPage(v: ConnectedView): Page {
  return page(200, 'Google account connected', html`<div class="notice success">Connected.</div>
${linked(v)}
${readyList(v.ready)}
${RETURN_TO_AGENT}`);
}

export interface PartialView extends ConnectedView {
  /** The publishers the request touched, with what each still lacks. */
  requested: readonly PublisherGrant[];
  retry: RetryForm | undefined;
}

/** Google's granular consent left some scopes unticked: what was stored, what is missing, ask again. */
export function partialPage(v: PartialView): Page {
  const lacking = v.requested.filter((r) => r.missing.length > 0);
  return page(
    200,
    'Some permissions were not granted',
    html`<div class="notice warning">Connected, but Google did not grant everything that was asked.</div>
${linked(v)}
<h2>Still missing</h2>
${lacking.map((r) => html`<div class="group"><h3>${r.publisher.name}</h3><p class="why">${r.publisher.name} will not work until you allow:</p>${scopeList(r.missing, 'missing')}</div>`)}
${readyList(v.ready)}
<p>To grant the missing permissions, ask Google again. Google only shows what is still missing; tick every box.</p>
${retryBlock(v.retry, 'Grant the missing permissions', ASK_AGENT)}
<p class="muted">If you prefer to leave it like this, return to your agent: it can use what you allowed.</p>`,
    v.retry && [v.retry.googleOrigin],
  );
}

/** The user answered Cancel at Google (`error=access_denied`). */
export function deniedPage(): Page {
  return page(200, 'Nothing was connected', html`<div class="notice info">You chose not to give Seren access to your Google account.</div>
<p>Nothing was stored and nothing changed. If you change your mind, ask your agent again: it will give you a new link.</p>`);
}

export interface MissingRefreshTokenView {
  googleEmail: string | undefined;
  retry: RetryForm | undefined;
}

/** Google gave no refresh token for an account we hold none for: without it the connection cannot last. */
export function missingRefreshTokenPage(v: MissingRefreshTokenView): Page {
  return page(
    502,
    'Google did not give lasting access',
    html`<div class="notice error">Google signed you in as ${googleAccount(v.googleEmail)} but did not send the long-lived permission Seren needs to act for you later. Nothing was stored.</div>
<p>This usually clears up when you try again. If it keeps happening, remove Seren’s access in your Google account settings (Security → Third-party connections), then try again.</p>
${retryBlock(v.retry, 'Try again', ASK_AGENT)}`,
    v.retry && [v.retry.googleOrigin],
  );
}
