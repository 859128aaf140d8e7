import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetTamper } from '../../src/emulator/index.js';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { auditOf, grantState, metric, postSet, pushTo, receivedSets } from '../support/risc.js';
import { exchangeJson, newUser } from '../support/token-client.js';

/**
 * POST /risc/events refuses every forged or malformed SET with the RFC 8935 answer, and such a
 * request changes nothing: the grant stays active, its cached token keeps being served, nothing
 * is recorded, and no call reaches Google.
 */
describe('the RISC receiver refuses what it must', () => {
  let h: Harness;
  let user: { key: string; id: string; token: string; email: string };

  beforeAll(async () => {
    h = await startHarness();
    const u = newUser(h);
    const email = `${u.id}@example.com`;
    await connectGoogle(h, u.id, { email });
    const first = await exchangeJson(h, u.key, 'gmail');
    user = { ...u, email, token: String(first.body.access_token) };
  });
  afterAll(() => h?.close());

  /** Nothing changed: still active, the same token served (from the cache), nothing recorded, Google not called. */
  async function expectNothingChanged() {
    h.google.resetCalls();
    expect(await grantState(h, user.id)).toEqual({ status: 'active', hasAccessToken: true });
    const again = await exchangeJson(h, user.key, 'gmail');
    expect(again.body.access_token).toBe(user.token);
    expect(await receivedSets(h)).toBe(0);
    expect(await auditOf(h, 'risc.event_received')).toEqual([]);
    expect(h.google.calls.token_refresh).toBe(0);
  }

  const forgeries: Array<[SetTamper, string]> = [
    ['bad_signature', 'authentication_failed'],
    ['unknown_key', 'invalid_key'],
    ['wrong_issuer', 'invalid_issuer'],
    ['wrong_audience', 'invalid_audience'],
    ['stale', 'invalid_request'],
    ['future', 'invalid_request'],
    ['alg_none', 'authentication_failed'],
    ['hs256_public_key', 'invalid_key'],
  ];

  for (const [tamper, err] of forgeries) {
    it(`refuses an account-disabled SET forged as ${tamper}: 400 ${err}, nothing changed`, async () => {
      const pushed = await pushTo(h, { event: 'account-disabled', email: user.email, tamper, applyAtGoogle: false });
      expect(pushed.status).toBe(400);
      const body = JSON.parse(pushed.body) as { err: string; description: string };
      expect(body.err).toBe(err);
      expect(body.description).toMatch(/\w+ \w+/);
      await expectNothingChanged();
    });
  }

  it('counts refused SETs by their RFC 8935 code', async () => {
    expect(await metric(h, 'sga_risc_events_total', { type: 'unverified', result: 'invalid_audience' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses a body that is not a JWT, an empty body and an encrypted one with 400 invalid_request', async () => {
    for (const body of ['hello', 'a.b.c', 'eyJhbGciOiJSUzI1NiJ9.e30', 'a.b.c.d.e', ' ']) {
      const res = await postSet(h, body);
      expect({ body, status: res.status, err: res.json?.err }).toEqual({ body, status: 400, err: 'invalid_request' });
    }
    await expectNothingChanged();
  });

  it('refuses another content type (even with a valid SET) with 400 invalid_request, naming the one expected', async () => {
    const { set } = await h.google.controls.pushSecurityEvent({ event: 'account-disabled', email: user.email, receiver: 'http://127.0.0.1:9/', applyAtGoogle: false });
    for (const type of ['application/jwt', 'application/json', 'text/plain']) {
      const res = await postSet(h, type === 'application/json' ? JSON.stringify({ set }) : set, type);
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ err: 'invalid_request', description: expect.stringContaining('application/secevent+jwt'), request_id: res.headers.get('x-request-id') });
    }
    const none = await fetch(`${h.url}/risc/events`, { method: 'POST', body: set });
    expect(none.status).toBe(400);
    await expectNothingChanged();
  });

  it('refuses a huge body with 413 without reading it all', async () => {
    const res = await postSet(h, 'x'.repeat(200_000));
    expect(res.status).toBe(413);
    expect(res.json?.err).toBe('invalid_request');
    await expectNothingChanged();
  });

  it('limits each client address (600 a minute): past it, 429 with Retry-After in the RFC 8935 shape', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof postSet>> | undefined;
    for (let batch = 0; batch < 31 && !limited; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => postSet(h, 'not-a-jwt')));
      statuses.push(...answers.map((r) => r.status));
      limited = answers.find((r) => r.status === 429);
    }
    const answered = statuses.filter((s) => s === 400).length; // the earlier requests of this file count too
    expect(answered).toBeGreaterThan(550);
    expect(answered).toBeLessThanOrEqual(600);
    expect(limited?.json?.err).toBe('rate_limited');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers GET with 405 (it only receives pushes)', async () => {
    const get = await fetch(`${h.url}/risc/events`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('the RISC receiver accepts what changes nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const connected = async () => {
    const u = newUser(h);
    const email = `${u.id}@example.com`;
    const { googleSubject } = await connectGoogle(h, u.id, { email });
    const first = await exchangeJson(h, u.key, 'gmail');
    return { ...u, email, googleSubject, token: String(first.body.access_token) };
  };

  it('an unknown event type: 202, recorded as ignored, the grant untouched', async () => {
    const user = await connected();
    const pushed = await pushTo(h, { event: 'account-disabled', eventTypeUri: 'https://schemas.openid.net/secevent/risc/event-type/made-up', email: user.email, applyAtGoogle: false });
    expect(pushed.status).toBe(202);
    expect(pushed.body).toBe('');
    expect(await grantState(h, user.id)).toEqual({ status: 'active', hasAccessToken: true });
    expect((await auditOf(h, 'risc.event_received')).at(-1)?.detail).toMatchObject({ event: 'unknown', result: 'ignored', jti: pushed.jti });
    expect(await metric(h, 'sga_risc_events_total', { type: 'unknown', result: 'ignored' })).toBe(1);
  });

  it('an account nobody connected: 202, no_matching_grant, nothing changed', async () => {
    const user = await connected();
    const pushed = await pushTo(h, { event: 'account-disabled', sub: '999999999999999999999' });
    expect(pushed.status).toBe(202);
    expect(await grantState(h, user.id)).toEqual({ status: 'active', hasAccessToken: true });
    expect((await auditOf(h, 'risc.event_received')).at(-1)?.detail).toMatchObject({ event: 'account-disabled', result: 'no_matching_grant', grants: 0 });
  });

  it('a token nobody holds: 202, no_matching_grant', async () => {
    const user = await connected();
    const pushed = await pushTo(h, { event: 'token-revoked', tokenIdentifier: 'bm90IGEgaGFzaCBvZiBhbnkgdG9rZW4=', email: user.email, applyAtGoogle: false });
    expect(pushed.status).toBe(202);
    expect(await grantState(h, user.id)).toEqual({ status: 'active', hasAccessToken: true });
    expect((await auditOf(h, 'risc.event_received')).at(-1)?.detail).toMatchObject({ event: 'token-revoked', result: 'no_matching_grant' });
  });

  it('a replayed jti: acknowledged with 202 and ignored, so a reconnected grant stays connected', async () => {
    const user = await connected();
    const first = await pushTo(h, { event: 'account-disabled', email: user.email });
    expect(first.status).toBe(202);
    expect((await grantState(h, user.id))?.status).toBe('reauthorization_required');
    await connectGoogle(h, user.id, { email: user.email }); // the user reconnects
    const replay = await postSet(h, first.set);
    expect(replay.status).toBe(202);
    expect(replay.text).toBe('');
    expect(await grantState(h, user.id)).toEqual({ status: 'active', hasAccessToken: true });
    expect((await exchangeJson(h, user.key, 'gmail')).status).toBe(200);
    expect(await metric(h, 'sga_risc_events_total', { type: 'account-disabled', result: 'replayed' })).toBe(1);
    expect((await auditOf(h, 'risc.event_received')).filter((a) => a.detail.jti === first.jti)).toHaveLength(1);
  });
});

describe('the RISC receiver in production (strict) mode behind a TLS proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { TRUST_PROXY: 'true' }, configure: (c) => ({ ...c, strict: true }) });
  });
  afterAll(() => h?.close());

  it('is reachable over HTTPS (it is not an operations endpoint) and refused over plain HTTP', async () => {
    const viaHttps = await postSet(h, 'not-a-jwt', 'application/secevent+jwt', { 'x-forwarded-proto': 'https' });
    expect(viaHttps.status).toBe(400);
    expect(viaHttps.json?.err).toBe('invalid_request');
    const viaHttp = await postSet(h, 'not-a-jwt', 'application/secevent+jwt', { 'x-forwarded-proto': 'http' });
    expect(viaHttp.status).toBe(403);
  });
});
