import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import { REFRESH_LEASE_MS } from '../../src/tokens/refresher.js';
import { TokenStore } from '../../src/tokens/token-store.js';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchange, exchangeJson, logLines, newUser } from '../support/token-client.js';

/** Past this, a gmail token (cache TTL 3500 s + 60 s) obtained at connection no longer satisfies the gateway rule. */
const GMAIL_STALE_AFTER_S = 41;

describe('refresh at Google', () => {
  let h: Harness;
  let keyring: Keyring;
  beforeAll(async () => {
    h = await startHarness();
    keyring = new Keyring(h.config.encryptionKeys!);
  });
  afterAll(() => h?.close());
  afterEach(() => {
    h.google.controls.clearFailures();
    h.google.controls.rotateRefreshTokens(false);
  });

  const grantRow = async (id: string) =>
    (await h.service.db.query<{ status: string; refresh_token_encrypted: string }>(
      'SELECT status, refresh_token_encrypted FROM user_google_tokens WHERE seren_user_id = $1',
      [id],
    ))[0]!;

  const connected = async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com` });
    const first = await exchangeJson(h, user.key);
    expect(first.status).toBe(200);
    h.google.resetCalls();
    return { ...user, email: `${user.id}@example.com`, token: String(first.body.access_token) };
  };

  it('refreshes once a cached token cannot outlive the publisher cache TTL + 60 s', async () => {
    const user = await connected();
    // The harness clock also moves with real time: leave a margin a loaded machine cannot eat.
    h.clock.advance(GMAIL_STALE_AFTER_S - 15);
    expect((await exchangeJson(h, user.key, 'gmail')).body.access_token).toBe(user.token);
    h.clock.advance(15);
    const { status, body } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(200);
    expect(body.access_token).not.toBe(user.token);
    expect(body.expires_in).toBeGreaterThanOrEqual(3500);
    expect(h.google.calls.token_refresh).toBe(1);
    expect(h.google.controls.accessTokenInfo(String(body.access_token))?.state).toBe('active');
  });

  it('without a publisher, keeps a token until MIN_TOKEN_LIFETIME_SECONDS (300) is left', async () => {
    const user = await connected();
    h.clock.advance(3600 - 315);
    const kept = await exchangeJson(h, user.key);
    expect(kept.body.access_token).toBe(user.token);
    expect(kept.body.expires_in).toBeGreaterThanOrEqual(240);
    expect(h.google.calls.token_refresh).toBe(0);
    h.clock.advance(16);
    const renewed = await exchangeJson(h, user.key);
    expect(renewed.body.access_token).not.toBe(user.token);
    expect(h.google.calls.token_refresh).toBe(1);
  });

  it('200 concurrent exchanges for one user cause exactly one refresh, and all get its token', async () => {
    const user = await connected();
    h.clock.advance(GMAIL_STALE_AFTER_S);
    h.google.controls.failNext('token', { delayMs: 300 }); // keeps the refresh in flight while the burst arrives
    const answers = await Promise.all(Array.from({ length: 200 }, () => exchangeJson(h, user.key, 'gmail')));
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    const tokens = new Set(answers.map((a) => a.body.access_token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(user.token)).toBe(false);
    expect(h.google.calls.token_refresh).toBe(1);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/sga_refresh_single_flight_waiters_total\{scope="process"\} [1-9]\d*/);
  });

  it('stores a refresh token that Google rotates', async () => {
    const user = await connected();
    const before = await grantRow(user.id);
    h.google.controls.rotateRefreshTokens(true);
    h.clock.advance(GMAIL_STALE_AFTER_S);
    expect((await exchange(h, user.key, 'gmail')).status).toBe(200);
    const after = await grantRow(user.id);
    expect(after.refresh_token_encrypted).not.toBe(before.refresh_token_encrypted);
    const rotated = keyring.open(after.refresh_token_encrypted, user.id);
    expect(h.google.controls.tokenInfo(rotated)?.state).toBe('active');
    expect(h.google.controls.tokenInfo(keyring.open(before.refresh_token_encrypted, user.id))?.state).toBe('revoked');
    h.clock.advance(GMAIL_STALE_AFTER_S);
    expect((await exchange(h, user.key, 'gmail')).status).toBe(200);
    expect(h.google.calls.token_refresh).toBe(2);
  });

  it('returns the still-valid cached token when Google answers 5xx', async () => {
    const user = await connected();
    h.clock.advance(GMAIL_STALE_AFTER_S);
    h.google.controls.failNext('token', { status: 503 }, Infinity);
    const { status, body } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(200);
    expect(body.access_token).toBe(user.token);
    expect(body.expires_in).toBeGreaterThan(3400);
    // Bounded retries with jitter, then the fallback.
    expect(h.google.calls.token_refresh).toBeGreaterThanOrEqual(2);
    expect(h.google.calls.token_refresh).toBeLessThanOrEqual(3);
    expect((await grantRow(user.id)).status).toBe('active');
  });

  it('answers google_unavailable with Retry-After on 5xx without a valid token, and recovers without a reconnect', async () => {
    const user = await connected();
    h.clock.advance(3600);
    h.google.controls.failNext('token', { status: 500 }, Infinity);
    const failed = await exchange(h, user.key, 'gmail');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(failed.headers.get('cache-control')).toBe('no-store');
    expect((await failed.json()).error).toBe('google_unavailable');
    expect(h.google.calls.token_refresh).toBeLessThanOrEqual(3);
    expect((await grantRow(user.id)).status).toBe('active');
    h.google.controls.clearFailures();
    const recovered = await exchangeJson(h, user.key, 'gmail');
    expect(recovered.status).toBe(200);
    expect(recovered.body.access_token).not.toBe(user.token);
  });

  it('does not retry a 429, passes its Retry-After on, and calls Google again only after that window', async () => {
    const user = await connected();
    h.clock.advance(3600);
    h.google.controls.failNext('token', { status: 429, retryAfter: 30 });
    const res = await exchange(h, user.key, 'gmail');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('30');
    expect((await res.json()).error).toBe('google_unavailable');
    expect(h.google.calls.token_refresh).toBe(1);
    h.clock.advance(20);
    const inside = await exchange(h, user.key, 'gmail');
    expect(inside.status).toBe(503);
    expect(Number(inside.headers.get('retry-after'))).toBeLessThanOrEqual(10);
    expect(h.google.calls.token_refresh).toBe(1);
    h.clock.advance(10);
    expect((await exchange(h, user.key, 'gmail')).status).toBe(200);
    expect(h.google.calls.token_refresh).toBe(2);
  });

  it.each(['invalid_client', 'unauthorized_client'] as const)('%s: 500 google_client_misconfigured, grant untouched, logged at error level', async (error) => {
    const user = await connected();
    const before = await grantRow(user.id);
    h.clock.advance(3600);
    h.google.controls.failNext('token', { error });
    const { status, body } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(500);
    expect(body.error).toBe('google_client_misconfigured');
    expect(await grantRow(user.id)).toEqual(before);
    expect(logLines(h).some((l) => l.level === 50 && /rejected our OAuth client/.test(l.msg))).toBe(true);
    const audits = await h.service.db.query<{ event: string }>(`SELECT event FROM audit_events WHERE event = 'client.misconfigured'`);
    expect(audits.length).toBeGreaterThan(0);
    expect((await exchange(h, user.key, 'gmail')).status).toBe(200);
  });

  it('invalid_grant: marks the grant, answers google_reauthorization_required with a link, and stops calling Google', async () => {
    const user = await connected();
    h.google.controls.revokeGrant(user.email);
    // The cached token is still "valid" for us, but gmail needs a refresh: Google's refusal wins.
    h.clock.advance(GMAIL_STALE_AFTER_S);
    const { status, body } = await exchangeJson(h, user.key, 'gmail');
    expect(status).toBe(401);
    expect(body.error).toBe('google_reauthorization_required');
    expect(body.authorization_url).toMatch(/\/auth\/google\?seren_token=sct_/);
    expect(body.message).toMatch(/Authorize at: http/);
    expect(String(body.message).endsWith(String(body.authorization_url))).toBe(true);
    expect((await grantRow(user.id)).status).toBe('reauthorization_required');
    const audits = await h.service.db.query<{ detail: unknown }>(
      `SELECT detail FROM audit_events WHERE event = 'grant.reauthorization_required' AND seren_user_id = $1`,
      [user.id],
    );
    expect(audits).toHaveLength(1);
    const calls = h.google.calls.token_refresh;
    expect((await exchangeJson(h, user.key)).body.error).toBe('google_reauthorization_required');
    expect(h.google.calls.token_refresh).toBe(calls);
    const shown = await (await fetch(`${h.url}/token/status`, { headers: { authorization: `Bearer ${user.key}` } })).json();
    expect(shown).toMatchObject({ connected: true, status: 'reauthorization_required', publishers: { gmail: { authorized: false } } });
  });

  it('takes over a lease abandoned by a dead refresher once it expires', async () => {
    const user = await connected();
    h.clock.advance(3600);
    const dead = await new TokenStore(h.service.db, keyring).tryLease(user.id, 'dead-instance', h.clock.now(), REFRESH_LEASE_MS);
    expect(dead).toBeDefined();
    let settled = false;
    const pending = exchangeJson(h, user.key, 'gmail').finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    expect(h.google.calls.token_refresh).toBe(0);
    h.clock.advance(REFRESH_LEASE_MS / 1000 + 1);
    const { status, body } = await pending;
    expect(status).toBe(200);
    expect(body.access_token).not.toBe(user.token);
    expect(h.google.calls.token_refresh).toBe(1);
  });
});

describe('refresh when Google cannot be reached at all', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('refused connections: google_unavailable with Retry-After, or the cached token while it is valid', async () => {
    const early = newUser(h);
    await connectGoogle(h, early.id, { email: `${early.id}@example.com` });
    h.clock.advance(3600);
    const late = newUser(h);
    await connectGoogle(h, late.id, { email: `${late.id}@example.com` });
    h.clock.advance(GMAIL_STALE_AFTER_S);
    await h.google.close(); // nothing listens on Google's port any more

    // late's token is too old for gmail's rule but still valid: better than failing.
    const fallback = await exchangeJson(h, late.key, 'gmail');
    expect(fallback.status).toBe(200);
    expect(fallback.body.expires_in).toBeGreaterThan(3400);
    // early's token has expired: nothing to give.
    const failed = await exchange(h, early.key, 'gmail');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect((await failed.json()).error).toBe('google_unavailable');
    const rows = await h.service.db.query<{ status: string }>('SELECT status FROM user_google_tokens');
    expect(rows.map((r) => r.status)).toEqual(['active', 'active']);
  });
});
