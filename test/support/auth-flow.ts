import { expect } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import { type Browser, type BrowserResponse, type ParsedForm, formTo } from '../../src/demo/browser.js';
import type { Harness } from './harness.js';

/** Helpers that walk the browser flow of SPEC §4 against a harness. */
export class AuthFlow {
  constructor(readonly h: Harness) {}

  /** Adds a Seren user to the stand-in; returns its API key and id. */
  user(key: string, profile: { name?: string; email?: string } = {}) {
    this.h.seren.addUser(key, profile);
    return { key, id: this.h.seren.users.get(key)!.id };
  }

  /** POST /token/connect-link with the user's API key; returns the authorization link. */
  async link(apiKey: string, publisher?: string): Promise<string> {
    const q = publisher ? `?publisher=${publisher}` : '';
    const res = await fetch(`${this.h.url}/token/connect-link${q}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    return (await res.json()).authorization_url;
  }

  /** Opens the link: the confirmation page and its Continue form. */
  async confirm(browser: Browser, link: string): Promise<{ page: BrowserResponse; form: ParsedForm }> {
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    return { page, form: formTo(page, '/auth/google') };
  }

  /** Presses Continue: the 303 to Google's authorization endpoint. */
  async continue(browser: Browser, form: ParsedForm): Promise<URL> {
    const res = await browser.submit(form);
    expect(res.status, res.body).toBe(303);
    return new URL(res.location!);
  }

  /** Google (auto-approve) answers: the callback URL it redirects to, not yet followed. */
  async consent(browser: Browser, authorizationUrl: URL): Promise<string> {
    const res = await browser.get(authorizationUrl.href);
    expect(res.status).toBe(302);
    expect(res.location).toMatch(new RegExp(`^${this.h.url}/auth/google/callback\\?`));
    return res.location!;
  }

  /** Link → confirm → Continue → consent, stopping before the callback. */
  async untilCallback(browser: Browser, apiKey: string, publisher?: string): Promise<string> {
    const { form } = await this.confirm(browser, await this.link(apiKey, publisher));
    return this.consent(browser, await this.continue(browser, form));
  }

  /** The whole flow: the page the callback answers. */
  async connect(browser: Browser, apiKey: string, publisher?: string): Promise<BrowserResponse> {
    return browser.get(await this.untilCallback(browser, apiKey, publisher));
  }

  async grantRow(serenUserId: string) {
    const [row] = await this.h.service.db.query<{
      seren_user_id: string; refresh_token_encrypted: string; scopes: string[]; google_sub: string;
      google_email: string | null; status: string; access_token_encrypted: string | null;
    }>('SELECT * FROM user_google_tokens WHERE seren_user_id = $1', [serenUserId]);
    return row;
  }

  keyring(): Keyring {
    return new Keyring(this.h.config.encryptionKeys!);
  }

  /** Every row of every table, as JSON text (to look for secrets in plaintext). */
  async dumpTables(): Promise<string> {
    const db = this.h.service.db;
    const tables = await db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    const dumps = await Promise.all(
      tables.map(async ({ tablename }) => JSON.stringify(await db.query(`SELECT row_to_json(t)::text AS j FROM "${tablename}" t`))),
    );
    return dumps.join('\n');
  }

  /** Grant and flow counts, to prove an attack stored nothing. */
  async grantCount(serenUserId: string): Promise<number> {
    const [row] = await this.h.service.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM user_google_tokens WHERE seren_user_id = $1', [serenUserId]);
    return row!.n;
  }
}

export const GMAIL = [
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.modify',
];
export const CALENDAR = ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events'];
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
