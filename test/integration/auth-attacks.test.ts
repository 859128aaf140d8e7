import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FlowSecrets } from '../../src/flows/flows.js';
import { AuthFlow } from '../support/auth-flow.js';
import { Browser, formTo } from '../../src/demo/browser.js';
import { type Harness, TEST_CLIENT, startHarness } from '../support/harness.js';

/** Each known attack on the browser flow (issue 3), one test each; none may store a grant. */
describe('attacks on the browser flow', () => {
  let h: Harness;
  let flow: AuthFlow;
  beforeAll(async () => {
    // Trace: the most the service ever logs; not even then may a secret appear.
    h = await startHarness({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, logLevel: 'trace' });
    flow = new AuthFlow(h);
  });
  afterAll(() => h?.close());
  beforeEach(() => h.google.controls.reset());

  let n = 0;
  const victim = () => flow.user(`sk_attack_${++n}`, { name: `Victim ${n}` });
  const FLOW_COOKIE = 'sga_flow';

  describe('state and browser binding', () => {
    it('rejects a replayed state, with or without the flow cookie', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      const cookie = browser.cookie(FLOW_COOKIE)!;
      expect((await browser.get(callback)).status).toBe(200);
      const stored = await flow.grantRow(user.id);

      const replay = await browser.get(callback); // the cookie was cleared by the first answer
      expect(replay.status).toBe(400);
      browser.setCookie(FLOW_COOKIE, cookie, h.url, '/auth/google');
      const withCookie = await browser.get(callback);
      expect(withCookie.status).toBe(400);
      expect(withCookie.body).toContain('already been completed');
      expect(withCookie.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await flow.grantRow(user.id)).toEqual(stored);
    });

    it('two racing callbacks with the same state and cookie: exactly one is accepted', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      const statuses = (await Promise.all([browser.get(callback), browser.get(callback), browser.get(callback)])).map((r) => r.status);
      expect(statuses.sort()).toEqual([200, 400, 400]);
      expect(await flow.grantCount(user.id)).toBe(1);
    });

    it('rejects a callback from a browser without the flow cookie, and that does not spoil the real flow', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');

      const other = await new Browser().get(callback);
      expect(other.status).toBe(400);
      expect(other.body).toContain('did not start this sign-in');
      expect(await flow.grantCount(user.id)).toBe(0);

      expect((await browser.get(callback)).status).toBe(200);
    });

    it('rejects the state of another browser’s flow (a forged flow cookie does not help)', async () => {
      const alice = victim();
      const mallory = victim();
      const aliceBrowser = new Browser();
      const malloryBrowser = new Browser();
      await flow.untilCallback(aliceBrowser, alice.key, 'gmail');
      const malloryCallback = await flow.untilCallback(malloryBrowser, mallory.key, 'gmail');

      // Mallory's callback (his state and code) opened in Alice's browser: Alice's cookie does not match.
      const res = await aliceBrowser.get(malloryCallback);
      expect(res.status).toBe(400);
      expect(await flow.grantCount(alice.id)).toBe(0);
      expect(await flow.grantCount(mallory.id)).toBe(0);

      aliceBrowser.setCookie(FLOW_COOKIE, randomBytes(32).toString('base64url'), h.url, '/auth/google');
      expect((await aliceBrowser.get(malloryCallback)).status).toBe(400);
      expect((await malloryBrowser.get(malloryCallback)).status).toBe(200);
    });

    it('rejects the state of an older flow once the browser started a newer one', async () => {
      const user = victim();
      const browser = new Browser();
      const first = await flow.untilCallback(browser, user.key, 'gmail');
      const second = await flow.untilCallback(browser, user.key, 'gmail');
      expect((await browser.get(first)).status).toBe(400);
      expect((await browser.get(second)).status).toBe(200);
    });

    it('rejects an expired flow', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      h.clock.advance(601);
      const res = await browser.get(callback);
      expect(res.status).toBe(400);
      expect(res.body).toContain('expired');
      expect(await flow.grantCount(user.id)).toBe(0);
    });

    it('rejects a callback without state or with an unknown one', async () => {
      const browser = new Browser();
      for (const query of ['code=abc', 'code=abc&state=', `code=abc&state=${oidc.randomState()}`, 'code=abc&state=a&state=b']) {
        const res = await browser.get(`${h.url}/auth/google/callback?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      }
    });
  });

  describe('code redemption', () => {
    it('code injection: a code from another flow is refused by Google (PKCE) and nothing is stored', async () => {
      const alice = victim();
      const mallory = victim();
      const aliceBrowser = new Browser();
      const aliceCallback = new URL(await flow.untilCallback(aliceBrowser, alice.key, 'gmail'));
      const malloryCallback = new URL(await flow.untilCallback(new Browser(), mallory.key, 'gmail'));

      const injected = new URL(aliceCallback);
      injected.searchParams.set('code', malloryCallback.searchParams.get('code')!);
      const tokenCalls = h.google.calls.token;
      const res = await aliceBrowser.get(injected.href);
      expect(res.status).toBe(502);
      expect(h.google.calls.token).toBe(tokenCalls + 1);
      expect(await flow.grantCount(alice.id)).toBe(0);
      expect(await flow.grantCount(mallory.id)).toBe(0);
    });

    it('PKCE verifier mismatch: Google refuses the code and nothing is stored', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      // Swap the stored verifier for another one (as if the flow row had been tampered with).
      const keyring = flow.keyring();
      const [row] = await h.service.db.query<{ state_hash: string; secrets_encrypted: string }>(
        'SELECT state_hash, secrets_encrypted FROM oauth_flows WHERE seren_user_id = $1 AND consumed_at IS NULL', [user.id],
      );
      const secrets = JSON.parse(keyring.open(row!.secrets_encrypted, user.id)) as FlowSecrets;
      const tampered = keyring.seal(JSON.stringify({ ...secrets, codeVerifier: oidc.randomPKCECodeVerifier() }), user.id);
      await h.service.db.query('UPDATE oauth_flows SET secrets_encrypted = $1 WHERE state_hash = $2', [tampered, row!.state_hash]);

      const res = await browser.get(callback);
      expect(res.status).toBe(502);
      expect(res.body).toContain('Nothing was stored');
      expect(await flow.grantCount(user.id)).toBe(0);
    });

    it('Google failing to redeem (5xx): 502 page, nothing stored, a button to try again', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      h.google.controls.failNext('token', { status: 503 });
      const res = await browser.get(callback);
      expect(res.status).toBe(502);
      expect(await flow.grantCount(user.id)).toBe(0);
      const again = await flow.continue(browser, formTo(res, '/auth/google'));
      expect((await browser.get(await flow.consent(browser, again))).status).toBe(200);
    });

    it('Google rejecting our client (invalid_client): 502 page without a retry button, audited, nothing stored', async () => {
      const user = victim();
      const browser = new Browser();
      const callback = await flow.untilCallback(browser, user.key, 'gmail');
      h.google.controls.failNext('token', { error: 'invalid_client' });
      const res = await browser.get(callback);
      expect(res.status).toBe(502);
      expect(res.body).toContain('misconfigured');
      expect(res.body).not.toContain('<form');
      expect(await flow.grantCount(user.id)).toBe(0);
      const audit = await h.service.db.query('SELECT event FROM audit_events WHERE seren_user_id = $1', [user.id]);
      expect(audit).toEqual([{ event: 'client.misconfigured' }]);
    });

    it.each(['wrong_nonce', 'wrong_audience', 'wrong_issuer', 'bad_signature', 'expired'] as const)(
      'refuses an ID token with %s and stores nothing',
      async (kind) => {
        const user = victim();
        const browser = new Browser();
        const callback = await flow.untilCallback(browser, user.key, 'gmail');
        h.google.controls.tamperNextIdToken(kind);
        const res = await browser.get(callback);
        expect(res.status).toBe(502);
        expect(res.body).toContain('could not be verified');
        expect(await flow.grantCount(user.id)).toBe(0);
      },
    );
  });

  describe('connect tokens', () => {
    it('a connect token works once: a second POST and a later GET answer 410', async () => {
      const user = victim();
      const browser = new Browser();
      const link = await flow.link(user.key, 'gmail');
      const { form } = await flow.confirm(browser, link);
      expect((await browser.submit(form)).status).toBe(303);
      const reused = await browser.submit(form);
      expect(reused.status).toBe(410);
      expect(reused.body).toContain('already used');
      expect(reused.body).toContain('ask your agent again');
      expect((await browser.get(link)).status).toBe(410);
    });

    it('two racing POSTs of one connect token: exactly one starts a flow', async () => {
      const user = victim();
      const browser = new Browser();
      const { form } = await flow.confirm(browser, await flow.link(user.key, 'gmail'));
      const statuses = (await Promise.all([browser.submit(form), browser.submit(form), browser.submit(form)])).map((r) => r.status);
      expect(statuses.sort()).toEqual([303, 410, 410]);
      const [row] = await h.service.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM oauth_flows WHERE seren_user_id = $1', [user.id]);
      expect(row!.n).toBe(1);
    });

    it('opening the link (previews, scanners) consumes nothing', async () => {
      const user = victim();
      const browser = new Browser();
      const link = await flow.link(user.key, 'gmail');
      for (let i = 0; i < 3; i++) expect((await new Browser().get(link)).status).toBe(200);
      const { form } = await flow.confirm(browser, link);
      expect((await browser.submit(form)).status).toBe(303);
    });

    it('a forged or malformed connect token is a 400 on GET and POST', async () => {
      const user = victim();
      const browser = new Browser();
      const link = await flow.link(user.key, 'gmail');
      const { form } = await flow.confirm(browser, link);
      const real = form.fields.seren_token!;
      const forged = [
        `sct_${randomBytes(32).toString('base64url')}`,
        real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A'),
        'sct_short',
        '<script>alert(1)</script>',
      ];
      for (const token of forged) {
        const page = await browser.get(`${h.url}/auth/google?seren_token=${encodeURIComponent(token)}`);
        expect(page.status, token).toBe(400);
        expect(page.body).toContain('ask your agent again');
        expect(page.body).not.toContain('<script>alert');
        expect((await browser.submit(form, { seren_token: token })).status, token).toBe(400);
      }
      expect((await browser.get(`${h.url}/auth/google`)).status).toBe(400);
      expect((await browser.submit(form)).status).toBe(303); // the real one is intact
    });

    it('an expired connect token is a 410 on GET and POST', async () => {
      const user = victim();
      const browser = new Browser();
      const link = await flow.link(user.key, 'gmail');
      const { form } = await flow.confirm(browser, link);
      h.clock.advance(h.config.connectTokenTtlSeconds + 1);
      const page = await browser.get(link);
      expect(page.status).toBe(410);
      expect(page.body).toContain('expired');
      expect((await browser.submit(form)).status).toBe(410);
    });
  });

  describe('CSRF on POST /auth/google', () => {
    it('refuses a missing, wrong or foreign CSRF token and a cross-site POST, and the link stays usable', async () => {
      const user = victim();
      const browser = new Browser();
      const { form } = await flow.confirm(browser, await flow.link(user.key, 'gmail'));
      const mallory = new Browser();
      const { form: malloryForm } = await flow.confirm(mallory, await flow.link(victim().key, 'gmail'));

      const attempts = [
        () => browser.submit(form, { _csrf: undefined }),
        () => browser.submit(form, { _csrf: 'not-a-token' }),
        () => browser.submit(form, { _csrf: malloryForm.fields._csrf }), // valid, but for another browser's secret
        () => browser.submit(form, {}, { crossSite: true }), // a real browser on another site: no Strict cookie
        () => browser.submit(form, {}, { headers: { origin: 'https://attacker.example' } }),
        () => browser.submit(form, {}, { headers: { 'sec-fetch-site': 'cross-site' } }),
        () => new Browser().submit(form), // no CSRF cookie at all
      ];
      for (const [i, attempt] of attempts.entries()) {
        const res = await attempt();
        expect(res.status, `attempt ${i}`).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.body).toContain('has not been used');
      }
      expect((await browser.submit(form)).status).toBe(303);
    });
  });

  describe('reflected XSS', () => {
    const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];

    it('never reflects error / error_description from the callback', async () => {
      const user = victim();
      const browser = new Browser();
      await flow.untilCallback(browser, user.key, 'gmail');
      const state = new URL(browser.history.at(-1)!).searchParams.get('state')!;
      for (const [i, payload] of payloads.entries()) {
        // The first request carries this browser's real state (the flow is then consumed); the others are rejected.
        const q = new URLSearchParams({ error: payload, error_description: payload, state: i === 0 ? state : 'x' });
        const res = await browser.get(`${h.url}/auth/google/callback?${q}`);
        expect([400, 502]).toContain(res.status);
        for (const p of payloads) expect(res.body).not.toContain(p);
        expect(res.body).not.toMatch(/<script|onerror=|onload=/i);
      }
      const q = new URLSearchParams({ error: 'access_denied', error_description: payloads[0]!, state: 'x' });
      expect((await browser.get(`${h.url}/auth/google/callback?${q}`)).body).not.toContain(payloads[0]);
    });

    it('shows Google’s error code only when it is a plain code', async () => {
      const user = victim();
      const browser = new Browser();
      await flow.untilCallback(browser, user.key, 'gmail');
      const state = new URL(browser.history.at(-1)!).searchParams.get('state')!;
      const res = await browser.get(`${h.url}/auth/google/callback?error=server_error&state=${state}`);
      expect(res.status).toBe(502);
      expect(res.body).toContain('<code>server_error</code>');
      expect(await flow.grantCount(user.id)).toBe(0);
    });
  });

  describe('secrets', () => {
    it('the Seren API key appears in no URL, page, log line or table', async () => {
      const apiKey = `sk_live_${randomBytes(16).toString('hex')}`;
      const user = flow.user(apiKey, { name: 'Key Holder' });
      const browser = new Browser();
      const link = await flow.link(apiKey, 'gmail');
      h.google.controls.nextConsent({ withholdScopes: ['https://www.googleapis.com/auth/gmail.send'], email: 'keyholder@example.com' });
      const partial = await flow.connect(browser, apiKey, 'gmail');
      expect(partial.status).toBe(200);
      const done = await browser.follow(await browser.submit(formTo(partial, '/auth/google')));
      expect(done.status).toBe(200);
      expect(await flow.grantCount(user.id)).toBe(1);

      expect(link).not.toContain(apiKey);
      for (const url of browser.history) expect(url).not.toContain(apiKey);
      for (const page of browser.pages) expect(page).not.toContain(apiKey);
      expect(h.logs.join('\n')).not.toContain(apiKey);
      expect(await flow.dumpTables()).not.toContain(apiKey);
    });

    it('logs hold no connect token, state, code, nonce, cookie, CSRF token or Google token', async () => {
      const user = victim();
      const browser = new Browser();
      const link = await flow.link(user.key, 'gmail');
      const { form } = await flow.confirm(browser, link);
      const authorization = await flow.continue(browser, form);
      const cookie = browser.cookie(FLOW_COOKIE)!;
      const csrfCookie = browser.cookie('sga_csrf')!;
      const callback = new URL(await flow.consent(browser, authorization));
      expect((await browser.get(callback.href)).status).toBe(200);
      const row = (await flow.grantRow(user.id))!;
      const keyring = flow.keyring();

      const secrets = {
        connectToken: new URL(link).searchParams.get('seren_token')!,
        csrfToken: form.fields._csrf!,
        csrfCookie,
        flowCookie: cookie,
        state: authorization.searchParams.get('state')!,
        nonce: authorization.searchParams.get('nonce')!,
        codeChallenge: authorization.searchParams.get('code_challenge')!,
        code: callback.searchParams.get('code')!,
        refreshToken: keyring.open(row.refresh_token_encrypted, user.id),
        accessToken: keyring.open(row.access_token_encrypted!, user.id),
        clientSecret: TEST_CLIENT.clientSecret,
      };
      const logs = h.logs.join('\n');
      expect(logs).toContain('/auth/google/callback'); // requests are logged, just not their secrets
      for (const [name, value] of Object.entries(secrets)) expect(logs.includes(value), name).toBe(false);
    });
  });
});
