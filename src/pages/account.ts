import type { SerenAccountLabel } from '../connect/connect-tokens.js';
import { displayText } from '../text/display-text.js';
import { type SafeHtml, html } from './html.js';

/**
 * The Seren account a page talks about (SPEC §4): the email first and prominent, the name (free
 * text the user chose, so it may look like anyone's email) second and labelled as a name; both
 * without control or bidi characters, each isolated with <bdi> so neither reorders the other.
 */
export function serenAccount(id: string, label: SerenAccountLabel): SafeHtml {
  const email = label.email ? displayText(label.email) : '';
  const name = label.name ? displayText(label.name) : '';
  const primary = email ? html`<strong class="account-email"><bdi>${email}</bdi></strong>` : html`<strong>Seren user <bdi>${id}</bdi></strong>`;
  return html`<div class="account">${primary}${name ? html`<span class="muted">Name: <bdi>${name}</bdi></span>` : ''}</div>`;
}
