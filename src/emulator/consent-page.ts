import { escapeHtml as e } from './html.js';

export interface ConsentView {
  /** Path of the issuer (`''` at the root, `/_google` when mounted), for absolute asset and form URLs. */
  basePath: string;
  requestId: string;
  clientId: string;
  redirectOrigin: string;
  email: string;
  scopes: ReadonlyArray<{ value: string; description: string; checked: boolean }>;
  error?: string;
}

/** The consent screen: escaped output, no script, one same-origin stylesheet, usable on a phone. */
export function renderConsentPage(v: ConsentView): string {
  const scopeItems = v.scopes
    .map(
      (s, i) =>
        `<li><input type="checkbox" id="scope-${i}" name="scope" value="${e(s.value)}"${s.checked ? ' checked' : ''}>` +
        `<label for="scope-${i}">${e(s.description)}<small>${e(s.value)}</small></label></li>`,
    )
    .join('\n');
  const body = `<h1>Sign in to continue to <strong>${e(v.clientId)}</strong></h1>
${v.error ? `<p class="error" role="alert">${e(v.error)}</p>` : ''}
<form method="post" action="${e(v.basePath)}/o/oauth2/v2/auth/decision">
<input type="hidden" name="request_id" value="${e(v.requestId)}">
<label for="email">Google account</label>
<input id="email" name="email" type="email" value="${e(v.email)}" required autocomplete="email">
<p><strong>${e(v.clientId)}</strong> wants to:</p>
<ul class="scopes">
<li class="fixed">Associate you with your personal info on Google and see your email address</li>
${scopeItems}
</ul>
<p class="note">After you choose, you will be sent back to <strong>${e(v.redirectOrigin)}</strong>.</p>
<div class="actions">
<button type="submit" name="action" value="allow" class="primary">Allow</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>`;
  return layout(v.basePath, 'Sign in - Google Accounts (emulated)', body);
}

export function renderErrorPage(basePath: string, error: string, description: string): string {
  const body = `<h1>Access blocked: this request is invalid</h1>
<p class="error" role="alert">Error 400: ${e(error)}</p>
<p>${e(description)}</p>`;
  return layout(basePath, 'Error - Google Accounts (emulated)', body);
}

function layout(basePath: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<link rel="stylesheet" href="${e(basePath)}/o/oauth2/v2/consent.css">
</head>
<body>
<main>
<p class="brand">Google <span>emulated</span></p>
${body}
</main>
</body>
</html>
`;
}

/**
 * Headers for the HTML pages. `form-action` lists the client's origin too: Chrome applies it to
 * the redirect that follows the form post, so 'self' alone would block the return to the client.
 */
export function pageHeaders(formTargetOrigin?: string): Record<string, string> {
  const formAction = formTargetOrigin ? `'self' ${formTargetOrigin}` : "'none'";
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

export const CONSENT_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#202124;background:#f1f3f4}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #dadce0;border-radius:8px}
@media (max-width:30rem){main{margin:0;border:0;border-radius:0;min-height:100vh}}
.brand{font-weight:600;font-size:1.25rem;margin:0 0 1rem}.brand span{font-weight:400;font-size:.8rem;color:#5f6368;margin-left:.25rem}
h1{font-size:1.3rem;font-weight:400;margin:0 0 1rem}
label{display:block}
input[type=email]{width:100%;padding:.6rem;font-size:1rem;border:1px solid #dadce0;border-radius:4px;margin:.25rem 0 1rem}
ul.scopes{list-style:none;padding:0;margin:0 0 1rem}
ul.scopes li{display:flex;gap:.6rem;align-items:flex-start;padding:.6rem 0;border-top:1px solid #e8eaed}
ul.scopes li label{flex:1}ul.scopes small{display:block;color:#5f6368;word-break:break-all}
ul.scopes input{width:1.25rem;height:1.25rem;margin-top:.15rem}
.note{font-size:.9rem;color:#5f6368}
.error{color:#b3261e;font-weight:600}
.actions{display:flex;flex-direction:row-reverse;gap:.75rem;justify-content:flex-start}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:4px;border:1px solid #dadce0;background:#fff;color:#1a73e8;cursor:pointer}
button.primary{background:#1a73e8;border-color:#1a73e8;color:#fff}
`;
