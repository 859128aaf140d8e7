import type { SerenAccountLabel } from '../connect/connect-tokens.js';
import { serenAccount } from './account.js';
import { CANCEL_PATH, type StartForm, startForm } from './forms.js';
import { maskEmail } from '../text/display-text.js';
import { html } from './html.js';
import { type Page, page } from './layout.js';
import { type PermissionGroup, describeScope, permissionGroups } from './permissions.js';

export interface ConfirmView {
  serenUserId: string;
  account: SerenAccountLabel;
  groups: readonly PermissionGroup[];
  /** The Google account already linked, when reconnecting (shown masked: whoever holds the link may not own it). */
  connectedGoogleEmail: string | null;
  expiresInMinutes: number;
  form: StartForm;
  /** Origin of Google's authorization endpoint: the form's POST redirects there. */
  googleOrigin: string;
}

/** GET /auth/google: who is linked, what is asked and why, a warning, Continue / Cancel (SPEC §4). */
export function confirmPage(v: ConfirmView): Page {
  const content = html`<p>Continuing links a Google account to this Seren account:</p>
${serenAccount(v.serenUserId, v.account)}
<div class="notice warning" role="alert">
<strong>Continue only if this is your own Seren account.</strong>
If someone sent you this link, stop here: continuing would let <em>their</em> Seren account use <em>your</em> Google data.
</div>
<h2>What Google will ask you to allow</h2>
${permissionGroups(v.groups)}
<div class="group">
<h3>Your Google account</h3>
<p class="why">So this page can show which Google account was linked.</p>
<ul><li>${describeScope('openid')}</li><li>${describeScope('email')}</li></ul>
</div>
${v.connectedGoogleEmail ? html`<p class="notice info">This Seren account is already linked to the Google account <strong>${maskEmail(v.connectedGoogleEmail)}</strong>. Continuing reconnects that same Google account.</p>` : ''}
<p class="muted">At Google you can untick any permission; your agent can then only do what you allowed. This link works once and expires in ${v.expiresInMinutes} minute${v.expiresInMinutes === 1 ? '' : 's'}.</p>
<div class="actions">
${startForm(v.form, 'Continue to Google')}
<a class="button secondary" href="${CANCEL_PATH}">Cancel</a>
</div>`;
  return page(200, 'Connect your Google account', content, [v.googleOrigin]);
}
