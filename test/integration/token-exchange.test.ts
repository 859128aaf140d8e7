import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchange, exchangeJson, logLines, newUser } from '../support/token-client.js';

const CALENDAR = ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events'];

describe('POST /token/exchange', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ logLevel: 'trace' }); // the most the service ever logs
  });
  afterAll(() => h?.close());

  it('answers google_not_connected with a one-time link in the message', async () => {
    const user = newUser(h);
    const { status, body, headers } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(401);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body.error).toBe('google_not_connected');
    expect(body.authorization_url).toMatch(new RegExp(`^${h.url}/auth/google\\?seren_token=sct_[A-Za-z0-9_-]{43}$`));
    expect(body.message).toBe(`Google account not connected. Authorize at: ${body.authorization_url}`);
    expect(JSON.stringify(body)).not.toContain(user.key);
  });

  it('returns the cached access token without calling Google, with expires_in = remaining - 60', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    h.google.resetCalls();
    const first = await exchangeJson(h, user.key, 'gmail');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.token_type).toBe('Bearer');
    // The test clock runs with real time: a second may pass between the connection and the exchange.
    expect(first.body.expires_in).toBeGreaterThanOrEqual(3538);
    expect(first.body.expires_in).toBeLessThanOrEqual(3540);
    expect(String(first.body.scope).split(' ')).toEqual(expect.arrayContaining(['https://www.googleapis.com/auth/gmail.readonly']));
    for (let i = 0; i < 5; i++) expect((await exchangeJson(h, user.key, 'gmail')).body.access_token).toBe(first.body.access_token);
    expect((await exchangeJson(h, user.key)).body.access_token).toBe(first.body.access_token);
    expect(h.google.calls.token).toBe(0);

    const gmail = await fetch(`${h.google.issuer}/gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
    expect(gmail.status).toBe(200);
  });

  it('sends the security headers every route sends, on the first answer and on later ones', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    const health = await fetch(`${h.url}/health`);
    const security = [...health.headers].filter(([name]) => /^(content-security-policy|x-|cross-origin|referrer-policy|origin-agent|strict-transport)/.test(name) && name !== 'x-request-id');
    expect(security.length).toBeGreaterThan(5);
    for (let i = 0; i < 2; i++) {
      const res = await exchange(h, user.key, 'gmail');
      for (const [name, value] of security) expect(res.headers.get(name), name).toBe(value);
    }
  });

  it('logs each exchange on one line, and never a token or an API key', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    const { body, headers } = await exchangeJson(h, user.key, 'gmail');
    const mine = logLines(h).filter((l) => l.request_id === headers.get('x-request-id'));
    const requestLines = mine.filter((l) => /^(incoming request|request completed)$/.test(l.msg));
    expect(requestLines).toEqual([expect.objectContaining({ msg: 'request completed', req: expect.objectContaining({ method: 'POST', url: '/token/exchange?publisher=gmail' }), res: { statusCode: 200 } })]);
    for (const l of h.logs) {
      expect(l).not.toContain(String(body.access_token));
      expect(l).not.toContain(user.key);
    }
  });

  it('ignores the body, whatever it is', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    for (const init of [
      {},
      { body: '{}', headers: { 'content-type': 'application/json' } },
      { body: '', headers: { 'content-type': 'application/json' } },
      { body: 'not json', headers: { 'content-type': 'text/plain' } },
    ]) {
      expect((await exchange(h, user.key, 'gmail', init)).status).toBe(200);
    }
  });

  it('answers google_insufficient_scope with the missing scopes; never without a publisher', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id);
    const { status, body } = await exchangeJson(h, user.key, 'google-calendar');
    expect(status).toBe(401);
    expect(body.error).toBe('google_insufficient_scope');
    expect(body.missing_scopes).toEqual(CALENDAR);
    expect(body.message).toBe(`Your Google connection lacks permissions that Google Calendar needs. Authorize at: ${body.authorization_url}`);
    const token = new URL(String(body.authorization_url)).searchParams.get('seren_token')!;
    const [row] = await h.service.db.query<{ scopes: string[] }>(
      `SELECT scopes FROM connect_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [token],
    );
    // Asks for what is granted (of the catalog) plus what is missing.
    expect(row!.scopes).toEqual(expect.arrayContaining([...CALENDAR, 'https://www.googleapis.com/auth/gmail.readonly']));
    expect((await exchangeJson(h, user.key)).status).toBe(200);
  });

  it('rejects an unknown publisher with the known slugs', async () => {
    const user = newUser(h);
    const { status, body } = await exchangeJson(h, user.key, 'dropbox');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'unknown_publisher', publishers: ['gmail', 'google-calendar'] });
  });

  it('rejects missing, malformed and unknown keys with WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer sk_nobody' }] as Record<string, string>[]) {
      const res = await fetch(`${h.url}/token/exchange`, { method: 'POST', headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect((await res.json()).error).toBe('invalid_seren_credentials');
    }
  });

  it('answers seren_account_inactive for a paused Seren account', async () => {
    const user = newUser(h, { status: 'paused' });
    const { status, body } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(403);
    expect(body.error).toBe('seren_account_inactive');
  });

  it('answers seren_unavailable with Retry-After when Seren fails', async () => {
    h.seren.failNext({ status: 502 });
    const res = await exchange(h, 'sk_test_never_seen_before_key', 'gmail');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await res.json()).error).toBe('seren_unavailable');
  });
});
