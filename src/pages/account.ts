import type { SerenAccountLabel } from '../connect/connect-tokens.js';
import { type SafeHtml, html } from './html.js';

/** The Seren account a page talks about: name and email when known, else its id. */
export function serenAccount(id: string, label: SerenAccountLabel): SafeHtml {
  const { name, email } = label;
  if (!name && !email) return html`<div class="account"><strong>Seren user ${id}</strong></div>`;
  return html`<div class="account"><strong>${name || email}</strong>${name && email ? html`<span class="muted">${email}</span>` : ''}</div>`;
}
