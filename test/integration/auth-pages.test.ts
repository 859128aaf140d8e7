import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthFlow } from '../support/auth-flow.js';
import { Browser, type BrowserResponse, formTo } from '../../src/demo/browser.js';
import { type Harness, startHarness } from '../support/harness.js';

/** Every page: escaped, no inline script or style, our stylesheet, phone-ready, strict CSP. */
function expectSafePage(res: BrowserResponse) {
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(res.body).toContain('<link rel="stylesheet" href="/assets/style.css">');
  expect(res.body).toContain('<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">');
  expect(res.body).not.toMatch(/<script|<style|<[a-z][^>]*\s(on[a-z]+|style)=|javascript:/i);
  const csp = res.headers.get('content-security-policy')!;
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  const scripts = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1];
  expect(scripts === undefined || /^'(self|none)'$/.test(scripts)).toBe(true);
}

describe('pages of the browser flow', () => {
  let h: Harness;
  let flow: AuthFlow;
  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
    flow = new AuthFlow(h);
  });
  afterAll(() => h?.close());

  it('the confirmation page names the Seren account, groups permissions by publisher, warns, and offers Continue / Cancel', async () => {
    const user = flow.user('sk_pages_confirm', { name: 'Grace Hopper', email: 'grace@seren.test' });
    const browser = new Browser();
    const { page, form } = await flow.confirm(browser, await flow.link(user.key));
    expectSafePage(page);
    expect(page.body).toContain('Grace Hopper');
    expect(page.body).toContain('grace@seren.test');
    expect(page.body).toContain('Continue only if this is your own Seren account');
    expect(page.body).toContain('If someone sent you this link');
    for (const text of ['<h3>Gmail</h3>', '<h3>Google Calendar</h3>', 'So your agent can use Gmail', 'Send email on your behalf', 'See and edit events on all your calendars']) {
      expect(page.body).toContain(text);
    }
    expect(page.body).toMatch(/expires in 15 minutes/);
    expect(page.body).toContain('href="/auth/google/cancel"');
    expect(Object.keys(form.fields).sort()).toEqual(['_csrf', 'seren_token']);
    // Chrome applies form-action to the redirect after the POST: Google's origin must be allowed.
    expect(page.headers.get('content-security-policy')).toContain(`form-action 'self' ${new URL(h.google.issuer).origin}`);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const cancel = await browser.get(`${h.url}/auth/google/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toContain('Nothing was connected');
    expectSafePage(cancel);
    expect((await browser.submit(form)).status).toBe(303); // Cancel burns nothing
  });

  it('a publisher link lists only that publisher, and says which Google account is already linked', async () => {
    const user = flow.user('sk_pages_publisher');
    expect((await flow.connect(new Browser(), user.key, 'gmail')).status).toBe(200);
    const { page } = await flow.confirm(new Browser(), await flow.link(user.key, 'google-calendar'));
    expect(page.body).toContain('<h3>Google Calendar</h3>');
    expect(page.body).toContain('<h3>Gmail</h3>'); // already granted: asked again so the new grant stays complete
    expect(page.body).toContain('linked to the Google account <strong>u•••@example.com</strong>');
    expect(page.body).not.toContain('user@example.com');

    const fresh = flow.user('sk_pages_publisher_fresh');
    const { page: first } = await flow.confirm(new Browser(), await flow.link(fresh.key, 'google-calendar'));
    expect(first.body).toContain('<h3>Google Calendar</h3>');
    expect(first.body).not.toContain('<h3>Gmail</h3>');
  });

  it('escapes every value it shows', async () => {
    const user = flow.user('sk_pages_escape', { name: '<script>alert("name")</script>', email: '"><img src=x onerror=alert(1)>@x' });
    const browser = new Browser();
    const { page } = await flow.confirm(browser, await flow.link(user.key, 'gmail'));
    expectSafePage(page);
    expect(page.body).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@x');
    const done = await flow.connect(browser, user.key, 'gmail');
    expectSafePage(done);
    expect(done.body).toContain('&lt;script&gt;');
  });

  it('error pages are HTML with a way forward, for bad (400) and used or expired (410) links', async () => {
    const bad = await new Browser().get(`${h.url}/auth/google?seren_token=nope`);
    expect(bad.status).toBe(400);
    expectSafePage(bad);
    expect(bad.body).not.toContain('connect-link'); // a person asks their agent; the API call is for developers
    expect(bad.body).toContain('ask your agent again');
  });

  it('sets the flow cookie HttpOnly, SameSite=Lax, scoped to /auth/google, and the CSRF cookie Strict', async () => {
    const user = flow.user('sk_pages_cookie');
    const browser = new Browser();
    const link = await flow.link(user.key, 'gmail');
    const confirm = await browser.get(link);
    const csrfCookie = confirm.headers.getSetCookie().find((c) => c.startsWith('sga_csrf='))!;
    expect(csrfCookie).toMatch(/; Path=\/auth\/google/);
    expect(csrfCookie).toMatch(/; HttpOnly/);
    expect(csrfCookie).toMatch(/; SameSite=Strict/);
    expect(csrfCookie).not.toMatch(/Secure/);

    const started = await browser.submit(formTo(confirm, '/auth/google'));
    expect(started.headers.get('cache-control')).toBe('no-store');
    const flowCookie = started.headers.getSetCookie().find((c) => c.startsWith('sga_flow='))!;
    expect(flowCookie).toMatch(/^sga_flow=[A-Za-z0-9_-]{43};/);
    expect(flowCookie).toMatch(/; Max-Age=600/);
    expect(flowCookie).toMatch(/; Path=\/auth\/google/);
    expect(flowCookie).toMatch(/; HttpOnly/);
    expect(flowCookie).toMatch(/; SameSite=Lax/);
    expect(flowCookie).not.toMatch(/Secure/);

    const [row] = await h.service.db.query<{ state_hash: string; browser_hash: string; secrets_encrypted: string }>(
      'SELECT state_hash, browser_hash, secrets_encrypted FROM oauth_flows WHERE seren_user_id = $1', [user.id],
    );
    const state = new URL(started.location!).searchParams.get('state')!;
    const all = JSON.stringify(row);
    expect(all).not.toContain(state);
    expect(all).not.toContain(browser.cookie('sga_flow'));
    expect(row!.secrets_encrypted).toMatch(/^v1\./);

    const callback = await browser.get(await flow.consent(browser, new URL(started.location!)));
    expect(callback.headers.getSetCookie().some((c) => /^sga_flow=;.*Expires=Thu, 01 Jan 1970/.test(c))).toBe(true);
  });

  it('serves the stylesheet, and HTML (not JSON) for unknown /auth pages, while the API keeps JSON', async () => {
    const css = await fetch(`${h.url}/assets/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('@media');

    for (const path of ['/auth/nope', '/auth/google/elsewhere']) {
      const res = await new Browser().get(`${h.url}${path}`);
      expect(res.status).toBe(404);
      expectSafePage(res);
    }
    const put = await new Browser().request(`${h.url}/auth/google`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(put.headers.get('content-type')).toMatch(/^text\/html/);
    const api = await fetch(`${h.url}/nope`);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('rate limit on /auth/*', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => h?.close());

  it('answers an HTML 429 with Retry-After once an address is over AUTH_RATE_LIMIT_PER_MINUTE, across /auth routes', async () => {
    const browser = new Browser();
    const paths = ['/auth/google/cancel', '/auth/google?seren_token=x', '/auth/google/callback?state=x'];
    for (const path of paths) expect((await browser.get(`${h.url}${path}`)).status).not.toBe(429);
    const res = await browser.get(`${h.url}/auth/google/cancel`);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.body).toContain('Too many requests');
    expectSafePage(res);
    expect((await fetch(`${h.url}/assets/style.css`)).status).toBe(200);
  });
});

describe('behind HTTPS (PUBLIC_URL https://)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PUBLIC_URL: 'https://auth.seren.test', AUTH_RATE_LIMIT_PER_MINUTE: '10000' } });
  });
  afterAll(() => h?.close());

  it('marks both cookies Secure and __Host- and checks the form origin against PUBLIC_URL', async () => {
    const flow = new AuthFlow(h);
    const user = flow.user('sk_https_cookie');
    const link = (await flow.link(user.key, 'gmail')).replace('https://auth.seren.test', h.url);
    const browser = new Browser();
    const confirm = await browser.get(link);
    expect(confirm.headers.getSetCookie().find((c) => c.startsWith('__Host-sga_csrf='))).toMatch(/; Secure/);
    const form = formTo(confirm, '/auth/google');
    expect((await browser.submit(form, {}, { headers: { origin: h.url } })).status).toBe(403); // not PUBLIC_URL's origin
    const started = await browser.submit(form, {}, { headers: { origin: 'https://auth.seren.test' } });
    expect(started.status).toBe(303);
    expect(started.headers.getSetCookie().find((c) => c.startsWith('__Host-sga_flow='))).toMatch(/; Secure/);
    expect(new URL(started.location!).searchParams.get('redirect_uri')).toBe('https://auth.seren.test/auth/google/callback');
  });
});
