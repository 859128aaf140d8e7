import type { Catalog, Publisher } from '../publishers/catalog.js';
import { canonicalScope } from '../flows/scopes.js';
import { type SafeHtml, html } from './html.js';

/** Plain words for the Google scopes a person is likely to meet; anything else is shown as is. */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'Confirm which Google account you signed in with',
  'https://www.googleapis.com/auth/userinfo.email': 'See your Google account’s email address',
  'https://www.googleapis.com/auth/userinfo.profile': 'See your name and profile picture',
  'https://mail.google.com/': 'Read, write, send and permanently delete all your email in Gmail',
  'https://www.googleapis.com/auth/gmail.readonly': 'Read your email messages and settings',
  'https://www.googleapis.com/auth/gmail.send': 'Send email on your behalf',
  'https://www.googleapis.com/auth/gmail.modify': 'Read, write and organise your email (labels, archive, trash) — but not delete it permanently',
  'https://www.googleapis.com/auth/gmail.compose': 'Create drafts and send email',
  'https://www.googleapis.com/auth/gmail.labels': 'Create and manage your email labels',
  'https://www.googleapis.com/auth/calendar': 'See, edit, share and permanently delete all the calendars you can access',
  'https://www.googleapis.com/auth/calendar.readonly': 'See all the calendars you can access',
  'https://www.googleapis.com/auth/calendar.events': 'See and edit events on all your calendars',
  'https://www.googleapis.com/auth/calendar.events.readonly': 'See events on all your calendars',
};

export const describeScope = (scope: string): string => SCOPE_WORDS[canonicalScope(scope)] ?? scope;

/** Why a publisher needs its permissions, in one sentence. */
export const publisherReason = (p: Publisher): string => `So your agent can use ${p.name} for you through Seren.`;

export interface PermissionGroup {
  /** Undefined for scopes no publisher in the catalog names. */
  publisher: Publisher | undefined;
  scopes: string[];
}

/** Groups scopes by the publishers that need them (a scope shared by two publishers shows under both). */
export function groupByPublisher(catalog: Catalog, scopes: readonly string[]): PermissionGroup[] {
  const wanted = new Set(scopes.map(canonicalScope));
  const groups: PermissionGroup[] = [];
  const claimed = new Set<string>();
  for (const publisher of catalog.values()) {
    const mine = publisher.scopes.filter((s) => wanted.has(canonicalScope(s)));
    mine.forEach((s) => claimed.add(canonicalScope(s)));
    if (mine.length > 0) groups.push({ publisher, scopes: mine });
  }
  const other = scopes.filter((s) => !claimed.has(canonicalScope(s)));
  if (other.length > 0) groups.push({ publisher: undefined, scopes: other });
  return groups;
}

export const scopeList = (scopes: readonly string[], cls?: string): SafeHtml =>
  html`<ul${cls ? html` class="${cls}"` : ''}>${scopes.map((s) => html`<li>${describeScope(s)}</li>`)}</ul>`;

/** One bordered block per publisher: its name, why, and the listed scopes. */
export function permissionGroups(groups: readonly PermissionGroup[]): SafeHtml {
  return html`${groups.map(
    (g) => html`<div class="group">
<h3>${g.publisher?.name ?? 'Other permissions'}</h3>
${g.publisher ? html`<p class="why">${publisherReason(g.publisher)}</p>` : ''}
${scopeList(g.scopes)}
</div>`,
  )}`;
}
