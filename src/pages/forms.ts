import { type SafeHtml, html } from './html.js';

/** The form that starts a Google sign-in: POST /auth/google with the connect token and the CSRF token. */
export interface StartForm {
  connectToken: string;
  csrfToken: string;
}

/** A form to start again, and the origin its POST will redirect to (for the page's CSP form-action). */
export interface RetryForm {
  form: StartForm;
  googleOrigin: string;
}

/** Start-again block: the button when a form could be made, else how to get a new link. */
export function retryBlock(retry: RetryForm | undefined, label: string, otherwise: SafeHtml): SafeHtml {
  return retry ? html`<div class="actions">${startForm(retry.form, label)}</div>` : otherwise;
}

export const ASK_AGENT = html`<p><strong>To try again, ask your agent again</strong>: it will give you a new link.</p>`;

export const START_PATH = '/auth/google';
export const CANCEL_PATH = '/auth/google/cancel';

/**
 * The connect token travels in a hidden field of a no-store page, never in a URL we build,
 * so it cannot leak through history, Referer or logs.
 */
export function startForm(form: StartForm, label: string): SafeHtml {
  return html`<form method="post" action="${START_PATH}">
<input type="hidden" name="seren_token" value="${form.connectToken}">
<input type="hidden" name="_csrf" value="${form.csrfToken}">
<button class="button" type="submit">${label}</button>
</form>`;
}
