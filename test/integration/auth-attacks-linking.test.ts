import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Browser } from '../../src/demo/browser.js';
import { AuthFlow } from '../support/auth-flow.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * Attacks on which Google account a Seren user ends up linked to (issue 11, findings 4 and 5),
 * end to end over HTTP: the leaked reconnect link, and the confirm page dressed up to look like
 * someone else's account.
 */
describe('attacks on account linking', () => {
  let h: Harness;
  let flow: AuthFlow;
  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
    flow = new AuthFlow(h);
  });
  afterAll(() => h?.close());
  beforeEach(() => h.google.controls.reset());

  let n = 0;
  const exchange = async (apiKey: string) =>
    (await (await fetch(`${h.url}/token/exchange`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } })).json()) as Record<string, string>;
  /** A Seren user connected through the browser flow to their own Google account. */
  const connectedVictim = async () => {
    const i = ++n;
    const user = flow.user(`sk_linking_victim_${i}`, { name: `Victim ${i}`, email: `victim${i}@seren.test` });
    const google = `victim${i}@gmail.com`;
    h.google.controls.nextConsent({ email: google });
    expect((await flow.connect(new Browser(), user.key, 'gmail')).status).toBe(200);
    return { ...user, google, masked: `v•••@gmail.com` };
  };
  /** Someone opens the link in their own browser, presses Continue and signs in at Google as `email`. */
  const completeAs = async (link: string, email: string) => {
    const b = new Browser();
    const { form } = await flow.confirm(b, link);
    const authorization = await flow.continue(b, form);
    h.google.controls.nextConsent({ email });
    return b.get(await flow.consent(b, authorization));
  };
  const auditEvents = async (serenUserId: string) =>
    (await h.service.db.query<{ event: string }>('SELECT event FROM audit_events WHERE seren_user_id = $1 ORDER BY id', [serenUserId])).map((r) => r.event);

  describe('a leaked reconnect link cannot re-point an agent at another mailbox', () => {
    it('another Google account completing the victim’s reconnect link stores nothing and gets a 409 page', async () => {
      const victim = await connectedVictim();
      const before = await flow.grantRow(victim.id);
      expect(h.google.controls.accessTokenInfo((await exchange(victim.key)).access_token!)?.email).toBe(victim.google);

      // The victim's agent asks for Calendar: the reconnect link (missing scopes) leaks to the attacker.
      const leaked = await fetch(`${h.url}/token/exchange?publisher=google-calendar`, { method: 'POST', headers: { authorization: `Bearer ${victim.key}` } });
      const { error, authorization_url: link } = (await leaked.json()) as Record<string, string>;
      expect(error).toBe('google_insufficient_scope');

      const attacker = new Browser();
      const { page, form } = await flow.confirm(attacker, link!);
      expect(page.body).not.toContain(victim.google); // opening the link shows the linked account only masked
      expect(page.body).toContain(victim.masked);
      const authorization = await flow.continue(attacker, form);
      expect(authorization.searchParams.get('login_hint')).toBe(victim.google);

      h.google.controls.nextConsent({ email: 'attacker@gmail.com' }); // the attacker signs in as themself
      const res = await attacker.get(await flow.consent(attacker, authorization));
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.body).toContain(victim.masked);
      expect(res.body).not.toContain(victim.google);
      expect(res.body).toMatch(/disconnect/i);
      expect(res.body).toContain('Nothing was stored');

      expect(await flow.grantRow(victim.id)).toEqual(before);
      const token = (await exchange(victim.key)).access_token!;
      expect(h.google.controls.accessTokenInfo(token)?.email).toBe(victim.google);
      expect(await auditEvents(victim.id)).toEqual(['grant.connected', 'grant.switch_refused']);
    });

    it('the same link completed with the victim’s own account reconnects as usual', async () => {
      const victim = await connectedVictim();
      const link = (await fetch(`${h.url}/token/connect-link?publisher=google-calendar`, { method: 'POST', headers: { authorization: `Bearer ${victim.key}` } }).then((r) => r.json())).authorization_url;
      const browser = new Browser();
      const { form } = await flow.confirm(browser, link);
      // No account chosen: the emulated Google, like Google, takes the login_hint.
      const res = await browser.get(await flow.consent(browser, await flow.continue(browser, form)));
      expect(res.status).toBe(200);
      expect((await flow.grantRow(victim.id))!.scopes).toEqual(expect.arrayContaining(['https://www.googleapis.com/auth/calendar']));
    });

    it('a link issued while connected stays pinned after a disconnect: another account still gets 409', async () => {
      const victim = await connectedVictim();
      const link = (await fetch(`${h.url}/token/connect-link`, { method: 'POST', headers: { authorization: `Bearer ${victim.key}` } }).then((r) => r.json())).authorization_url;
      const revoke = await fetch(`${h.url}/token/revoke`, { method: 'DELETE', headers: { authorization: `Bearer ${victim.key}` } });
      expect((await revoke.json()).status).toBe('disconnected');

      const res = await completeAs(link, 'attacker@gmail.com');
      expect(res.status).toBe(409);
      expect(res.body).toContain(victim.masked);
      expect(await flow.grantCount(victim.id)).toBe(0);
    });

    it('an older link issued before the user connected cannot replace the connection made since', async () => {
      const i = ++n;
      const user = flow.user(`sk_linking_early_${i}`, { name: `Early ${i}` });
      const early = await flow.link(user.key, 'gmail'); // not connected yet: not pinned
      h.google.controls.nextConsent({ email: `early${i}@gmail.com` });
      expect((await flow.connect(new Browser(), user.key, 'google-calendar')).status).toBe(200);
      const before = await flow.grantRow(user.id);

      const res = await completeAs(early, 'attacker@gmail.com');
      expect(res.status).toBe(409);
      expect(res.body).toContain('e•••@gmail.com');
      expect(await flow.grantRow(user.id)).toEqual(before);
    });
  });

  describe('the confirm page cannot be dressed up as another account', () => {
    // Bidi overrides, isolates and marks, and C0/C1 controls (NUL included, which PostgreSQL cannot
    // even store) other than the page's own line breaks.
    const MISLEADING = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

    it('shows the Seren email first and prominent, the free-text name second, both stripped of control and bidi characters', async () => {
      const name = '\u202Emoc.liamg@mitciv\u202C\u2066 (verified)\u2069\u0000\u0007\u0085';
      const user = flow.user('sk_linking_dressed', { name, email: 'mallory@seren.test\u200F' });
      const { page } = await flow.confirm(new Browser(), await flow.link(user.key, 'gmail'));
      expect(page.body).not.toMatch(MISLEADING);
      const account = /<div class="account">([\s\S]*?)<\/div>/.exec(page.body)![1]!;
      expect(account).toMatch(/^<strong[^>]*><bdi>mallory@seren\.test<\/bdi><\/strong>/);
      expect(account).toContain('Name: <bdi>moc.liamg@mitciv (verified)</bdi>');
      expect(account.indexOf('mallory@seren.test')).toBeLessThan(account.indexOf('moc.liamg'));
    });

    it('a user without an email is named by their Seren user id, never by the name alone', async () => {
      const user = flow.user('sk_linking_noemail', { name: 'victim@gmail.com', email: '' });
      const { page } = await flow.confirm(new Browser(), await flow.link(user.key, 'gmail'));
      const account = /<div class="account">([\s\S]*?)<\/div>/.exec(page.body)![1]!;
      expect(account).toMatch(new RegExp(`^<strong>Seren user <bdi>${user.id}</bdi></strong>`));
      expect(account).toContain('Name: <bdi>victim@gmail.com</bdi>');
    });
  });
});
