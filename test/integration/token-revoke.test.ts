import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { REVOKE_ANSWER_WAIT_MS } from '../../src/revocation/disconnect.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { exchangeJson, newUser } from '../support/token-client.js';

const CALENDAR = ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/calendar.events'];

describe('GET /token/status and DELETE /token/revoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());
  afterEach(() => h.google.controls.clearFailures());

  const call = async (method: 'GET' | 'DELETE', path: string, key: string) => {
    const res = await fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const status = (key: string) => call('GET', '/token/status', key);
  const revoke = (key: string) => call('DELETE', '/token/revoke', key);
  const pendingRows = (id: string) =>
    h.service.db.query<{ attempts: number; token_encrypted: string }>('SELECT attempts, token_encrypted FROM pending_revocations WHERE seren_user_id = $1', [id]);
  const auditEvents = async (id: string) =>
    (await h.service.db.query<{ event: string }>('SELECT event FROM audit_events WHERE seren_user_id = $1 ORDER BY id', [id])).map((r) => r.event);
  const connectedUser = async (email?: string) => {
    const user = newUser(h);
    const account = email ?? `${user.id}@example.com`;
    await connectGoogle(h, user.id, { email: account });
    return { ...user, email: account };
  };

  it('status: not connected', async () => {
    const user = newUser(h);
    expect(await status(user.key)).toEqual({ status: 200, body: { connected: false, message: 'Google account not connected' } });
  });

  it('status: the connection, its scopes and what each publisher can do', async () => {
    const user = await connectedUser();
    const { body } = await status(user.key);
    expect(body).toMatchObject({ connected: true, status: 'active', google_email: user.email, last_refreshed_at: null });
    expect(body.scopes).toEqual(expect.arrayContaining(['https://www.googleapis.com/auth/gmail.readonly']));
    expect(Date.parse(body.connected_at)).toBeGreaterThan(0);
    expect(body.publishers).toEqual({ gmail: { authorized: true }, 'google-calendar': { authorized: false, missing_scopes: CALENDAR } });
    h.clock.advance(3600);
    expect((await exchangeJson(h, user.key)).status).toBe(200);
    expect(Date.parse((await status(user.key)).body.last_refreshed_at)).toBeGreaterThan(Date.parse(body.connected_at));
  });

  it('revoke: the connection stops at once, the grant is revoked at Google, the refresh token is gone', async () => {
    const user = await connectedUser();
    expect((await exchangeJson(h, user.key, 'gmail')).status).toBe(200); // cached in memory now
    const { body } = await revoke(user.key);
    expect(body).toMatchObject({ status: 'disconnected', google_revocation: 'done' });
    expect((await exchangeJson(h, user.key, 'gmail')).body.error).toBe('google_not_connected');
    expect(h.google.controls.grantFor(user.email)?.revoked).toBe(true);
    expect(await pendingRows(user.id)).toEqual([]);
    // The disconnect (and its audit event) is committed before Google is asked.
    expect(await auditEvents(user.id)).toEqual(['grant.disconnected', 'grant.revoked_at_google']);
    expect((await revoke(user.key)).body.status).toBe('not_found');
    expect((await status(user.key)).body.connected).toBe(false);
  });

  it('revoke: a grant Google already ended counts as revoked', async () => {
    const user = await connectedUser();
    h.google.controls.revokeGrant(user.email);
    expect((await revoke(user.key)).body).toMatchObject({ status: 'disconnected', google_revocation: 'done' });
    expect(await pendingRows(user.id)).toEqual([]);
  });

  it('revoke: a Google account another Seren user is connected to is only disconnected here', async () => {
    const shared = `shared-${Date.now()}@example.com`;
    const a = await connectedUser(shared);
    const b = await connectedUser(shared);
    const { body } = await revoke(a.key);
    expect(body).toMatchObject({ status: 'disconnected', google_revocation: 'skipped' });
    expect(body.message).toMatch(/another Seren account/);
    expect(h.google.controls.grantFor(shared)?.revoked).toBe(false);
    expect((await exchangeJson(h, a.key)).body.error).toBe('google_not_connected');
    h.clock.advance(3600); // B needs a refresh: its grant still works at Google
    expect((await exchangeJson(h, b.key, 'gmail')).status).toBe(200);
    expect((await revoke(b.key)).body.google_revocation).toBe('done');
    expect(h.google.controls.grantFor(shared)?.revoked).toBe(true);
  });

  it('revoke: when Google is unreachable, retries in the background and then deletes the refresh token', async () => {
    const user = await connectedUser();
    h.google.controls.failNext('revoke', { status: 503 }, Infinity);
    const { body } = await revoke(user.key);
    expect(body).toMatchObject({ status: 'disconnected', google_revocation: 'pending' });
    expect((await exchangeJson(h, user.key)).body.error).toBe('google_not_connected');
    expect(await pendingRows(user.id)).toEqual([expect.objectContaining({ attempts: 1 })]);

    // Not due yet: nothing happens.
    expect(await h.service.app.tokenServices.revocations.runDue()).toBe(0);
    h.google.controls.clearFailures();
    h.clock.advance(120);
    expect(await h.service.app.tokenServices.revocations.runDue()).toBe(1);
    expect(await pendingRows(user.id)).toEqual([]);
    expect(h.google.controls.grantFor(user.email)?.revoked).toBe(true);
    expect(await auditEvents(user.id)).toContain('grant.revoked_at_google');
  });

  it('revoke: a hanging Google costs the caller at most a short wait: the disconnect is committed, the revocation pending', { timeout: 30_000 }, async () => {
    const user = await connectedUser();
    h.google.controls.failNext('revoke', { hang: true });
    const started = performance.now();
    const { body } = await revoke(user.key);
    const waited = performance.now() - started;
    // Before: the full Google time-out (10 s), and a process killed meanwhile never wrote grant.disconnected.
    expect(waited).toBeLessThan(REVOKE_ANSWER_WAIT_MS + 1_500);
    expect(body).toMatchObject({ status: 'disconnected', google_revocation: 'pending' });
    expect(await auditEvents(user.id)).toEqual(['grant.disconnected']);
    expect((await exchangeJson(h, user.key)).body.error).toBe('google_not_connected');
    // The attempt goes on in the background: Google's time-out, then a retry is scheduled.
    await waitFor(async () => (await pendingRows(user.id))[0]?.attempts === 1, 'the background attempt to give up', 15_000);
    h.clock.advance(3600);
    expect(await h.service.app.tokenServices.revocations.runDue()).toBe(1);
    expect(await pendingRows(user.id)).toEqual([]);
    expect(h.google.controls.grantFor(user.email)?.revoked).toBe(true);
  });

  it('revoke: gives up after 24 hours and deletes the refresh token', async () => {
    const user = await connectedUser();
    h.google.controls.failNext('revoke', { status: 500 }, Infinity);
    expect((await revoke(user.key)).body.google_revocation).toBe('pending');
    h.clock.advance(2 * 3600);
    await h.service.app.tokenServices.revocations.runDue();
    expect(await pendingRows(user.id)).toEqual([expect.objectContaining({ attempts: 2 })]);
    h.clock.advance(23 * 3600);
    await h.service.app.tokenServices.revocations.runDue();
    expect(await pendingRows(user.id)).toEqual([]);
    expect(await auditEvents(user.id)).toContain('grant.revocation_abandoned');
    expect(h.google.controls.grantFor(user.email)?.revoked).toBe(false);
  });

  it('revoke: a background retry spares a Google account that was connected again meanwhile', async () => {
    const user = await connectedUser();
    h.google.controls.failNext('revoke', { status: 503 }, Infinity);
    expect((await revoke(user.key)).body.google_revocation).toBe('pending');
    h.google.controls.clearFailures();
    await connectGoogle(h, user.id, { email: user.email });
    h.clock.advance(3600);
    await h.service.app.tokenServices.revocations.runDue();
    expect(await pendingRows(user.id)).toEqual([]);
    expect(h.google.controls.grantFor(user.email)?.revoked).toBe(false);
    expect((await exchangeJson(h, user.key, 'gmail')).status).toBe(200);
  });
});
