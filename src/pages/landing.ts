import { html } from './html.js';
import { type Page, YOUR_DATA_PATH, page } from './layout.js';

export interface LandingView {
  devMode: boolean;
  publishers: readonly string[];
  /** This service's external address (PUBLIC_URL), for the examples. */
  publicUrl: string;
}

/** GET /: what this service is and how a person connects Google (through their agent's link). */
export function landingPage(v: LandingView): Page {
  return page(
    200,
    'Google for your Seren agents',
    html`<p>This service lets your AI agents use your Google account (${v.publishers.join(', ')}) through Seren,
without you ever copying a token or sharing your Google password.</p>
<h2>How to connect Google</h2>
<ol>
<li>Ask your agent to do something with Gmail or Google Calendar.</li>
<li>The first time, your agent shows you a link that starts with <code>/auth/google?seren_token=</code>. Open it.</li>
<li>Check that the page names <strong>your own</strong> Seren account, press <em>Continue to Google</em> and choose what to allow.</li>
<li>Return to your agent: it can now act within what you allowed. <a href="${YOUR_DATA_PATH}">You can disconnect at any time</a>.</li>
</ol>
<p class="muted">Links work once and expire after a few minutes; if yours has, ask your agent again.</p>
<h2>For developers and operators</h2>
<ul>
<li><a href="/openapi.json">API description (OpenAPI)</a>: <code>POST /token/exchange</code>, <code>/token/status</code>, <code>/token/revoke</code>, <code>/token/connect-link</code></li>
<li><a href="/health">Health</a> and <a href="/ready">readiness</a>; <a href="/metrics">metrics</a> (Prometheus)</li>
<li>Set-up, configuration and troubleshooting: the project's <code>README.md</code>; the API in <code>docs/api.md</code></li>
</ul>
${
  v.devMode
    ? html`<div class="notice warning"><strong>Dev mode.</strong> Google is emulated at <a href="/_google/.well-known/openid-configuration"><code>/_google</code></a>
and any API key <code>seren_dev_&lt;name&gt;</code> is accepted. To watch the whole story, run <code>npm run demo</code>; to try it by hand:
<code>curl -X POST -H "Authorization: Bearer seren_dev_me" ${v.publicUrl}/token/exchange</code> and open the link it returns.</div>`
    : ''
}`,
  );
}
