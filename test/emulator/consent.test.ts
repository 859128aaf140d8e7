import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../../src/emulator/index.js';
import { CALENDAR, GMAIL_READONLY, REDIRECT_URI, USERINFO_EMAIL, authorize, authorizeUrl, get, pkce, postForm, redeem, startEmulator } from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({
    clients: [{ clientId: 'dev-client-id', clientSecret: 'dev-client-secret', redirectUris: [REDIRECT_URI] }],
  }));
});
afterAll(() => emulator.close());
beforeEach(() => emulator.controls.reset());

async function openConsent(params: Record<string, string | undefined> = {}) {
  const { verifier, challenge } = pkce();
  const res = await get(authorizeUrl(issuer, { scope: `openid email ${GMAIL_READONLY} ${CALENDAR}`, code_challenge: challenge, ...params }));
  const html = await res.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { res, html, requestId, verifier };
}

function checkboxes(html: string): Array<{ value: string; checked: boolean }> {
  return [...html.matchAll(/<input type="checkbox"[^>]*value="([^"]+)"([^>]*)>/g)].map((m) => ({ value: m[1] ?? '', checked: (m[2] ?? '').includes('checked') }));
}

const decide = (form: Record<string, string | string[]>) => postForm(`${issuer}/o/oauth2/v2/auth/decision`, form);

describe('consent page', () => {
  it('shows one ticked checkbox per optional scope, the hinted email, and strict headers', async () => {
    const { res, html, requestId } = await openConsent({ login_hint: 'someone@example.org' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:9");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('style=');
    expect(checkboxes(html)).toEqual([
      { value: GMAIL_READONLY, checked: true },
      { value: CALENDAR, checked: true },
    ]);
    expect(html).toContain('value="someone@example.org"');
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(html).not.toContain('nonce-123'); // the form carries an id, not the raw parameters
    expect(emulator.calls.authorize).toBe(1);

    const css = await get(`${issuer}/o/oauth2/v2/consent.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('escapes what it echoes', async () => {
    const { html } = await openConsent({ scope: 'openid https://example.com/<b>x</b>' });
    expect(html).toContain('https://example.com/&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });

  it('unticking a scope leaves it out of the token response (granular consent)', async () => {
    const { requestId, verifier } = await openConsent();
    const res = await decide({ request_id: requestId, action: 'allow', email: 'picker@example.com', scope: [CALENDAR] });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('iss')).toBe(issuer);
    const tokens = await redeem(issuer, location.searchParams.get('code') ?? '', verifier);
    expect(tokens.body.scope).toBe(`openid ${USERINFO_EMAIL} ${CALENDAR}`);
    expect(emulator.controls.grantFor('picker@example.com')?.scopes).not.toContain(GMAIL_READONLY);
    expect(emulator.calls.decision).toBe(1);
  });

  it('cancel redirects with access_denied and the state; the request id is then spent', async () => {
    const { requestId } = await openConsent();
    const res = await decide({ request_id: requestId, action: 'cancel', email: '' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('state-123');
    const replay = await decide({ request_id: requestId, action: 'allow', email: 'a@example.com' });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('location')).toBeNull();
  });

  it('asks again for an invalid email without spending the request', async () => {
    const { requestId } = await openConsent();
    const bad = await decide({ request_id: requestId, action: 'allow', email: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a valid email address');
    const good = await decide({ request_id: requestId, action: 'allow', email: 'ok@example.com', scope: [GMAIL_READONLY, CALENDAR] });
    expect(good.status).toBe(302);
  });

  it('honours nextConsent on the page: withheld scopes unticked and dropped, deny forces access_denied', async () => {
    emulator.controls.nextConsent({ withholdScopes: [CALENDAR], email: 'chosen@example.com' });
    const { html, requestId, verifier } = await openConsent();
    expect(checkboxes(html)).toEqual([
      { value: GMAIL_READONLY, checked: true },
      { value: CALENDAR, checked: false },
    ]);
    expect(html).toContain('value="chosen@example.com"');
    const res = await decide({ request_id: requestId, action: 'allow', email: 'chosen@example.com', scope: [GMAIL_READONLY, CALENDAR] });
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect((await redeem(issuer, code, verifier)).body.scope).toBe(`openid ${USERINFO_EMAIL} ${GMAIL_READONLY}`);

    emulator.controls.nextConsent({ deny: true });
    const second = await openConsent();
    const denied = await decide({ request_id: second.requestId, action: 'allow', email: 'chosen@example.com' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
  });

  it('auto-approves one flow with nextConsent({ autoApprove: true })', async () => {
    emulator.controls.nextConsent({ autoApprove: true });
    const { challenge } = pkce();
    expect((await authorize(issuer, { code_challenge: challenge })).searchParams.get('code')).toBeTruthy();
  });
});

describe('authorization request validation', () => {
  it('shows an error page, never a redirect, for an unregistered redirect_uri or unknown client', async () => {
    const { challenge } = pkce();
    for (const params of [{ redirect_uri: 'https://attacker.example/cb' }, { client_id: 'nobody' }, { redirect_uri: undefined }]) {
      const res = await get(authorizeUrl(issuer, { code_challenge: challenge, ...params }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).not.toContain('attacker.example');
    }
  });

  it('redirects other errors back with error and state (RFC 6749 §4.1.2.1)', async () => {
    const { challenge } = pkce();
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: challenge, scope: GMAIL_READONLY }, 'invalid_scope'],
      [{ code_challenge: challenge, response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge: challenge, prompt: 'none' }, 'consent_required'],
    ];
    for (const [params, error] of cases) {
      const location = await authorize(issuer, params);
      expect(location.origin + location.pathname).toBe(REDIRECT_URI);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('state-123');
    }
  });
});
