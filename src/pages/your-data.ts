import { html } from './html.js';
import { type Page, page } from './layout.js';

export { YOUR_DATA_PATH } from './layout.js';

export interface YourDataView {
  publishers: readonly string[];
  connectLinkMinutes: number;
  auditRetentionDays: number;
}

/**
 * GET /privacy: for the person whose Google account is connected — how to disconnect, and what
 * this service keeps (and for how long). Its words mirror docs/your-data.md.
 */
export function yourDataPage(v: YourDataView): Page {
  return page(
    200,
    'Your Google connection and your data',
    html`<p>This service lets your Seren agents use your Google account (${v.publishers.join(', ')}) within the permissions you
allowed. It never sees your Google password, and it never reads your mail or calendar itself: it hands a short-lived Google access token
to the Seren gateway when your agent calls one of these services.</p>
<h2>How to disconnect</h2>
<ol>
<li><strong>Ask your agent to disconnect your Google account.</strong> The connection stops working at once, the stored Google
token is deleted, and access is also withdrawn at Google (unless another Seren account is connected to the same Google account:
withdrawing at Google would disconnect that one too, so it is left in place).</li>
<li><strong>Or remove access at Google:</strong> in your Google Account, open <em>Security</em>, then
<a href="https://myaccount.google.com/connections">Your connections to third-party apps &amp; services</a>, choose this app and delete
its connection. From then on, every request your agents make through Seren is refused with a link to connect again; nothing can be
read with the old grant.</li>
</ol>
<p>To connect again later, just use your agent: it gives you a new link when Google is not connected.</p>
<h2>What this service keeps</h2>
<ul>
<li>For your Seren account: which Google account is connected (Google's account id and email address), the permissions Google
granted, when you connected and when the token was last renewed.</li>
<li>Google's refresh token and the current access token, <strong>encrypted</strong> (AES-256-GCM) and bound to your Seren account,
so they cannot be moved to anyone else's.</li>
<li>An audit trail of connections and disconnections (when, and which Google account; never a token), deleted after ${v.auditRetentionDays} days.</li>
<li>While you connect: the one-time link (it expires after ${v.connectLinkMinutes} minutes) and a short-lived sign-in record.
Nothing else: no message, event or file of yours is stored.</li>
</ul>
<p>When you disconnect through your agent, the stored tokens are deleted (if Google cannot be reached at that moment, the
encrypted refresh token is kept until Google confirms the withdrawal, for at most 24 hours). When you remove access at Google
instead, the encrypted token is kept but can no longer be used; connecting again replaces it, and disconnecting through your agent
deletes it.</p>
<p class="muted">For developers: disconnecting is <code>DELETE /token/revoke</code> with the Seren API key as a bearer token.</p>`,
  );
}
