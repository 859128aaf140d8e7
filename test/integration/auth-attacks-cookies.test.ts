import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type BrowserResponse } from '../../src/demo/browser.js';
import { AuthFlow } from '../support/auth-flow.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * Issue 11, finding 6: cookie injection. Over HTTPS every cookie of the browser flow is
 * `__Host-` (Secure, Path=/, no Domain), which a sibling subdomain cannot set; an unprefixed
 * cookie it plants is ignored. The service runs in strict mode behind a TLS proxy here: the
 * browser's requests carry `X-Forwarded-Proto: https` from the trusted proxy.
 */
describe('attacks by cookie injection (over HTTPS)', () => {
  let h: Harness;
  let flow: AuthFlow;
  beforeAll(async () => {
    h = await startHarness({ env: { TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_MINUTE: '10000' }, configure: (c) => ({ ...c, strict: true }) });
    flow = new AuthFlow(h);
  });
  afterAll(() => h?.close());

  const viaProxy = { headers: { 'x-forwarded-proto': 'https' } };
  const browser = () => new Browser(viaProxy);
  let n = 0;
  const user = () => flow.user(`sk_cookie_attack_${++n}`, { email: `user${n}@seren.test` });
  const linkFor = async (apiKey: string) => {
    const res = await fetch(`${h.url}/token/connect-link?publisher=gmail`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, ...viaProxy.headers } });
    expect(res.status).toBe(200);
    return (await res.json()).authorization_url as string;
  };
  const setCookies = (res: BrowserResponse) => res.headers.getSetCookie();

  it('every cookie is __Host-: Secure, Path=/, no Domain, HttpOnly', async () => {
    const owner = user();
    const b = browser();
    const { page, form } = await flow.confirm(b, await linkFor(owner.key));
    const posted = await b.submit(form);
    expect(posted.status).toBe(303);
    const done = await b.get(await flow.consent(b, new URL(posted.location!)));
    expect(done.status).toBe(200);

    const seen = [...setCookies(page), ...setCookies(posted), ...setCookies(done)];
    expect(seen.map((c) => c.split('=')[0])).toEqual(['__Host-sga_csrf', '__Host-sga_flow', '__Host-sga_flow']);
    for (const cookie of seen) {
      const attrs = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
      expect(attrs, cookie).toContain('secure');
      expect(attrs, cookie).toContain('path=/');
      expect(attrs, cookie).toContain('httponly');
      expect(attrs.some((a) => a.startsWith('domain')), cookie).toBe(false);
    }
    expect(setCookies(page)[0]).toMatch(/samesite=strict/i);
    expect(setCookies(posted)[0]).toMatch(/samesite=lax/i);
    expect(await flow.grantCount(owner.id)).toBe(1);
  });

  it('a flow cookie planted from a sibling subdomain cannot bind a victim’s consent to the attacker’s flow', async () => {
    const mallory = user();
    // Mallory starts a flow for his own Seren account and stops before Google.
    const malloryBrowser = browser();
    const { form } = await flow.confirm(malloryBrowser, await linkFor(mallory.key));
    const authorization = await flow.continue(malloryBrowser, form);
    const malloryFlowCookie = malloryBrowser.cookie('__Host-sga_flow')!;
    expect(malloryFlowCookie).toBeDefined();

    // From a sibling subdomain he can only plant an unprefixed cookie; then he sends the victim his consent URL.
    const victim = browser();
    victim.setCookie('sga_flow', malloryFlowCookie, h.url, '/');
    h.google.controls.nextConsent({ email: 'victim@gmail.com' });
    const callback = await flow.consent(victim, authorization);
    const res = await victim.get(callback);
    expect(res.status).toBe(400);
    expect(res.body).toContain('did not start this sign-in');
    expect(await flow.grantCount(mallory.id)).toBe(0);
  });

  it('a CSRF secret planted from a sibling subdomain does not make a form token valid', async () => {
    const owner = user();
    const attacker = browser();
    const { form } = await flow.confirm(attacker, await linkFor(owner.key));
    const plantedSecret = attacker.cookie('__Host-sga_csrf')!;

    const victim = browser();
    victim.setCookie('sga_csrf', plantedSecret, h.url, '/');
    // The attacker's valid token with the planted secret, as if the origin checks (another layer) were passed.
    const res = await victim.submit(form);
    expect(res.status).toBe(403);
    expect(res.body).toContain('has not been used');
    expect((await attacker.submit(form)).status).toBe(303); // the link was not spent
  });
});
