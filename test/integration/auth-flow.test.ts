import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthFlow, CALENDAR, GMAIL, USERINFO_EMAIL } from '../support/auth-flow.js';
import { Browser, formTo } from '../../src/demo/browser.js';
import { type Harness, TEST_CLIENT, startHarness } from '../support/harness.js';

describe('the browser flow (SPEC §4)', () => {
  let h: Harness;
  let flow: AuthFlow;
  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
    flow = new AuthFlow(h);
  });
  afterAll(() => h?.close());
  beforeEach(() => {
    h.google.controls.reset();
    h.google.controls.setDefaultAccount({ email: 'user@example.com' });
  });

  it('connects in three actions: open link, Continue, consent', async () => {
    const user = flow.user('sk_flow_full', { name: 'Ada Lovelace', email: 'ada@seren.test' });
    const browser = new Browser();
    const link = await flow.link(user.key, 'gmail');

    const { page, form } = await flow.confirm(browser, link); // 1. open the link
    expect(page.body).toContain('Ada Lovelace');
    const authorization = await flow.continue(browser, form); // 2. Continue
    const final = await browser.follow(await browser.get(authorization.href)); // 3. consent (auto-approved)

    expect(final.status).toBe(200);
    expect(final.url).toMatch(/\/auth\/google\/callback\?/);
    expect(final.body).toContain('Google account connected');
    expect(final.body).toContain('user@example.com');
    expect(final.body).toContain('Gmail');
    expect(final.body).toMatch(/return to your agent and retry/i);
    expect(final.headers.get('cache-control')).toBe('no-store');

    const row = await flow.grantRow(user.id);
    expect(row).toBeDefined();
    expect(row!.status).toBe('active');
    expect(row!.google_email).toBe('user@example.com');
    expect([...row!.scopes].sort()).toEqual(['openid', USERINFO_EMAIL, ...GMAIL].sort());
  });

  it('asks Google with exactly the parameters of SPEC §4', async () => {
    const user = flow.user('sk_flow_params');
    const browser = new Browser();
    const { form } = await flow.confirm(browser, await flow.link(user.key, 'gmail'));
    const url = await flow.continue(browser, form);
    expect(url.origin + url.pathname).toBe(`${h.google.issuer}/o/oauth2/v2/auth`);
    const p = Object.fromEntries(url.searchParams);
    expect(Object.keys(p).sort()).toEqual(
      ['access_type', 'client_id', 'code_challenge', 'code_challenge_method', 'include_granted_scopes', 'nonce', 'prompt',
        'redirect_uri', 'response_type', 'scope', 'state'].sort(),
    );
    expect(p).toMatchObject({
      response_type: 'code', client_id: TEST_CLIENT.clientId, redirect_uri: `${h.url}/auth/google/callback`,
      code_challenge_method: 'S256', access_type: 'offline', include_granted_scopes: 'true', prompt: 'consent',
    });
    expect(p.scope!.split(' ')).toEqual(['openid', 'email', ...GMAIL]);
    expect(p.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores the refresh token and the cached access token only sealed, bound to the Seren user', async () => {
    const user = flow.user('sk_flow_sealed');
    const res = await flow.connect(new Browser(), user.key, 'gmail');
    expect(res.status).toBe(200);
    const row = (await flow.grantRow(user.id))!;
    const keyring = flow.keyring();
    const refreshToken = keyring.open(row.refresh_token_encrypted, user.id);
    const accessToken = keyring.open(row.access_token_encrypted!, user.id);
    expect(h.google.controls.tokenInfo(refreshToken)?.kind).toBe('refresh');
    expect(h.google.controls.accessTokenInfo(accessToken)?.scopes.sort()).toEqual([...row.scopes].sort());
    expect(() => keyring.open(row.refresh_token_encrypted, 'someone-else')).toThrow();
    const everything = await flow.dumpTables();
    expect(everything).not.toContain(refreshToken);
    expect(everything).not.toContain(accessToken);
    expect(h.logs.join('\n')).not.toContain(refreshToken);
    const [audit] = await h.service.db.query<{ event: string; detail: { scopes: string[] } }>(
      `SELECT event, detail FROM audit_events WHERE seren_user_id = $1`, [user.id],
    );
    expect(audit).toMatchObject({ event: 'grant.connected', detail: { scopes: row.scopes } });
  });

  it('partial consent stores what was granted, lists what is missing, and its button completes the grant', async () => {
    const user = flow.user('sk_flow_partial');
    const browser = new Browser();
    const send = 'https://www.googleapis.com/auth/gmail.send';
    // A Google account that never granted anything: include_granted_scopes would return old grants.
    h.google.controls.nextConsent({ withholdScopes: [send], email: 'partial@example.com' });
    const partial = await flow.connect(browser, user.key, 'gmail');

    expect(partial.status).toBe(200);
    expect(partial.body).toContain('Some permissions were not granted');
    expect(partial.body).toContain('Send email on your behalf');
    expect(partial.headers.get('cache-control')).toBe('no-store');
    expect(partial.headers.get('content-security-policy')).toContain(`form-action 'self' ${new URL(h.google.issuer).origin}`);
    expect((await flow.grantRow(user.id))!.scopes.sort()).toEqual(['openid', USERINFO_EMAIL, GMAIL[0], GMAIL[2]].sort());

    // The button: a fresh one-time form (no link, nothing in a URL) asking granted + missing.
    const again = await flow.continue(browser, formTo(partial, '/auth/google'));
    expect(again.searchParams.get('scope')!.split(' ').sort()).toEqual(['openid', 'email', ...GMAIL].sort());
    expect(again.searchParams.get('login_hint')).toBe('partial@example.com');
    const done = await browser.get(await flow.consent(browser, again));
    expect(done.status).toBe(200);
    expect(done.body).toContain('Google account connected');
    expect((await flow.grantRow(user.id))!.scopes.sort()).toEqual(['openid', USERINFO_EMAIL, ...GMAIL].sort());
  });

  it('access_denied: a friendly 200 page and nothing stored', async () => {
    const user = flow.user('sk_flow_denied');
    h.google.controls.nextConsent({ deny: true });
    const res = await flow.connect(new Browser(), user.key, 'gmail');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Nothing was connected');
    expect(await flow.grantCount(user.id)).toBe(0);
  });

  it('reconnecting replaces the grant and its scopes with the new answer (never a merge)', async () => {
    const user = flow.user('sk_flow_replace');
    h.google.controls.nextConsent({ email: 'first@example.com' });
    expect((await flow.connect(new Browser(), user.key, 'gmail')).status).toBe(200);
    const first = (await flow.grantRow(user.id))!;

    // The grant ends at Google; the reconnect (same account) then withholds the Gmail scopes it asks again.
    h.google.controls.revokeGrant('first@example.com');
    h.google.controls.nextConsent({ withholdScopes: GMAIL });
    const res = await flow.connect(new Browser(), user.key, 'google-calendar');
    expect(res.status).toBe(200);
    const second = (await flow.grantRow(user.id))!;
    expect(second.google_sub).toBe(first.google_sub);
    expect(second.scopes.sort()).toEqual(['openid', USERINFO_EMAIL, ...CALENDAR].sort());
    expect(second.refresh_token_encrypted).not.toBe(first.refresh_token_encrypted);
  });

  it('an exchange right after reconnecting returns the new connection\'s token (regression: stale memory)', async () => {
    const user = flow.user('sk_flow_reconnect_exchange');
    const exchange = async () =>
      (await (await fetch(`${h.url}/token/exchange`, { method: 'POST', headers: { authorization: `Bearer ${user.key}` } })).json()).access_token as string;
    expect((await flow.connect(new Browser(), user.key)).status).toBe(200);
    const before = await exchange();
    expect((await flow.connect(new Browser(), user.key)).status).toBe(200);
    const stored = flow.keyring().open((await flow.grantRow(user.id))!.access_token_encrypted!, user.id);
    expect(stored).not.toBe(before);
    expect(await exchange()).toBe(stored);
  });

  it('switching Google accounts on purpose: disconnect, then connect another account', async () => {
    const user = flow.user('sk_flow_switch');
    const exchange = async () =>
      (await (await fetch(`${h.url}/token/exchange`, { method: 'POST', headers: { authorization: `Bearer ${user.key}` } })).json()).access_token as string;
    h.google.controls.nextConsent({ email: 'old-account@example.com' });
    expect((await flow.connect(new Browser(), user.key)).status).toBe(200);
    expect(h.google.controls.accessTokenInfo(await exchange())?.email).toBe('old-account@example.com');

    const revoke = await fetch(`${h.url}/token/revoke`, { method: 'DELETE', headers: { authorization: `Bearer ${user.key}` } });
    expect((await revoke.json()).status).toBe('disconnected');
    h.google.controls.nextConsent({ email: 'new-account@example.com' });
    expect((await flow.connect(new Browser(), user.key)).status).toBe(200);
    expect(h.google.controls.accessTokenInfo(await exchange())?.email).toBe('new-account@example.com');
  });

  it('reconnecting the same account without a new refresh token keeps the stored one', async () => {
    const user = flow.user('sk_flow_keep_rt');
    expect((await flow.connect(new Browser(), user.key, 'gmail')).status).toBe(200);
    const keyring = flow.keyring();
    const before = keyring.open((await flow.grantRow(user.id))!.refresh_token_encrypted, user.id);

    h.google.controls.omitRefreshToken();
    const res = await flow.connect(new Browser(), user.key, 'google-calendar');
    expect(res.status).toBe(200);
    const after = (await flow.grantRow(user.id))!;
    expect(keyring.open(after.refresh_token_encrypted, user.id)).toBe(before);
    expect(after.scopes).toEqual(expect.arrayContaining(CALENDAR));
  });

  it('a first connection without a refresh token stores nothing, explains, and its retry works', async () => {
    const user = flow.user('sk_flow_first_no_rt');
    const browser = new Browser();
    h.google.controls.nextConsent({ email: 'new@example.com' });
    h.google.controls.omitRefreshToken();
    const res = await flow.connect(browser, user.key, 'gmail');
    expect(res.status).toBe(502);
    expect(res.body).toContain('did not give lasting access');
    expect(await flow.grantCount(user.id)).toBe(0);

    h.google.controls.nextConsent({ email: 'new@example.com' });
    const retried = await browser.get(await flow.consent(browser, await flow.continue(browser, formTo(res, '/auth/google'))));
    expect(retried.status).toBe(200);
    expect((await flow.grantRow(user.id))!.google_email).toBe('new@example.com');
  });
});
