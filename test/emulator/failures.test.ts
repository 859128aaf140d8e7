import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../../src/emulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, codeFlow, get, refreshWith, startEmulator } from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;
let refreshToken: string;

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({ autoApprove: true }));
  refreshToken = (await codeFlow(issuer)).body.refresh_token as string;
});
afterAll(() => emulator.close());
beforeEach(() => emulator.controls.reset());

describe('failNext', () => {
  it('answers 503 with Retry-After once, then normally', async () => {
    emulator.controls.failNext('token', { status: 503, retryAfter: 7 });
    const failed = await refreshWith(issuer, refreshToken);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('7');
    expect(failed.body.error).toBe('temporarily_unavailable');
    expect((await refreshWith(issuer, refreshToken)).status).toBe(200);
    expect(emulator.calls.token_refresh).toBe(2); // failed attempts count too
  });

  it('answers 429, then OAuth errors', async () => {
    emulator.controls.failNext('token', { status: 429 });
    emulator.controls.failNext('token', { error: 'invalid_client' });
    emulator.controls.failNext('token', { error: 'invalid_grant' });
    expect((await refreshWith(issuer, refreshToken)).status).toBe(429);
    const invalidClient = await refreshWith(issuer, refreshToken);
    expect(invalidClient.status).toBe(401);
    expect(invalidClient.body.error).toBe('invalid_client');
    const invalidGrant = await refreshWith(issuer, refreshToken);
    expect(invalidGrant.body).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    expect((await refreshWith(issuer, refreshToken)).status).toBe(200);
  });

  it('keeps failing with count = Infinity until clearFailures', async () => {
    emulator.controls.failNext('discovery', { status: 500 }, Infinity);
    for (let i = 0; i < 3; i++) expect((await get(`${issuer}/.well-known/openid-configuration`)).status).toBe(500);
    emulator.controls.clearFailures('discovery');
    expect((await get(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect(emulator.calls.discovery).toBe(4);
  });

  it('delays a response, then answers normally', async () => {
    emulator.controls.failNext('jwks', { delayMs: 300 });
    const started = Date.now();
    const res = await get(`${issuer}/oauth2/v3/certs`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('hangs without answering, until the client gives up', async () => {
    emulator.controls.failNext('token', { hang: true });
    const err = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
      signal: AbortSignal.timeout(300),
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect((await refreshWith(issuer, refreshToken)).status).toBe(200);
  });

  it('lets a client time out on a delayed response', async () => {
    emulator.controls.failNext('gmail', { delayMs: 5_000 });
    const err = await fetch(`${issuer}/gmail/v1/users/me/profile`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
  });
});

describe('close()', () => {
  it('does not hang on a response that is still delayed', async () => {
    const { emulator: slow, issuer: slowIssuer } = await startEmulator();
    slow.controls.failNext('discovery', { delayMs: 60_000 });
    const pending = fetch(`${slowIssuer}/.well-known/openid-configuration`).catch((e: unknown) => e);
    while (slow.calls.discovery === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await slow.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await pending;
  });
});

describe('calls', () => {
  it('counts each endpoint and resets', async () => {
    emulator.resetCalls();
    await get(`${issuer}/.well-known/openid-configuration`);
    await get(`${issuer}/oauth2/v3/certs`);
    const { body } = await codeFlow(issuer);
    await get(`${issuer}/v1/userinfo`, { authorization: `Bearer ${body.access_token as string}` });
    await get(`${issuer}/gmail/v1/users/me/profile`, { authorization: `Bearer ${body.access_token as string}` });
    await refreshWith(issuer, refreshToken);
    expect({ ...emulator.calls }).toEqual({
      discovery: 1,
      jwks: 1,
      authorize: 1,
      decision: 0,
      token: 2,
      token_refresh: 1,
      revoke: 0,
      userinfo: 1,
      gmail: 1,
      risc_configuration: 0,
      risc_management: 0,
    });
    emulator.resetCalls();
    expect(Object.values(emulator.calls).every((n) => n === 0)).toBe(true);
  });
});
