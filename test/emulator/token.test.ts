import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../../src/emulator/index.js';
import {
  CALENDAR,
  CLIENT_ID,
  CLIENT_SECRET,
  GMAIL_READONLY,
  REDIRECT_URI,
  USERINFO_EMAIL,
  codeFlow,
  obtainCode,
  postForm,
  redeem,
  refreshWith,
  startEmulator,
  token,
} from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;
let nowMs = Date.now();

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({
    autoApprove: true,
    now: () => nowMs,
    clients: [
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { clientId: 'other-client', clientSecret: 'other-secret', redirectUris: [REDIRECT_URI] },
    ],
  }));
});
afterAll(() => emulator.close());
beforeEach(() => {
  nowMs = Date.now();
  emulator.controls.reset();
});

describe('authorization_code grant', () => {
  it('answers a Google-shaped token response', async () => {
    const res = await codeFlow(issuer);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: `openid ${USERINFO_EMAIL} ${GMAIL_READONLY}` });
    expect(res.body.access_token).toMatch(/^ya29\.emu_[A-Za-z0-9_-]{43}$/);
    expect(res.body.refresh_token).toMatch(/^1\/\/emu_/);
    expect(typeof res.body.id_token).toBe('string');
  });

  it('accepts client_secret_basic', async () => {
    const { code, verifier } = await obtainCode(issuer);
    expect((await redeem(issuer, code, verifier, 'basic')).status).toBe(200);
  });

  it('rejects a PKCE verifier that does not match with invalid_grant', async () => {
    const { code } = await obtainCode(issuer);
    const res = await redeem(issuer, code, 'x'.repeat(43));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('rejects a missing code_verifier with invalid_grant', async () => {
    const { code } = await obtainCode(issuer);
    const res = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('rejects a reused code and revokes the tokens the first use bought', async () => {
    const { code, verifier } = await obtainCode(issuer);
    const first = await redeem(issuer, code, verifier);
    expect(first.status).toBe(200);
    const second = await redeem(issuer, code, verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(emulator.controls.tokenInfo(first.body.access_token as string)?.state).toBe('revoked');
    expect((await refreshWith(issuer, first.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it('rejects an expired code (the injected clock moves past codeTtlSeconds)', async () => {
    const { code, verifier } = await obtainCode(issuer);
    nowMs += 61_000;
    const res = await redeem(issuer, code, verifier);
    expect(res.body).toMatchObject({ error: 'invalid_grant', error_description: 'The authorization code has expired.' });
  });

  it('binds the code to its redirect_uri and client', async () => {
    const a = await obtainCode(issuer);
    const wrongUri = await token(issuer, { grant_type: 'authorization_code', code: a.code, redirect_uri: 'http://127.0.0.1:9/other', code_verifier: a.verifier });
    expect(wrongUri.body.error).toBe('invalid_grant');

    const b = await obtainCode(issuer);
    const res = await postForm(`${issuer}/token`, {
      grant_type: 'authorization_code',
      code: b.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: b.verifier,
      client_id: 'other-client',
      client_secret: 'other-secret',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('gives a refresh token for offline access only, then again only with prompt=consent (like Google)', async () => {
    emulator.controls.setDefaultAccount({ email: 'offline@example.com' });
    expect((await codeFlow(issuer, { access_type: 'online' })).body.refresh_token).toBeUndefined();
    expect((await codeFlow(issuer)).body.refresh_token).toBeDefined();
    expect((await codeFlow(issuer)).body.refresh_token).toBeUndefined();
    expect((await codeFlow(issuer, { prompt: 'consent' })).body.refresh_token).toBeDefined();
    expect(emulator.controls.grantFor('offline@example.com')?.refreshTokens).toBe(2);
  });

  it('omits the refresh token once when told to', async () => {
    emulator.controls.omitRefreshToken();
    expect((await codeFlow(issuer, { prompt: 'consent' })).body.refresh_token).toBeUndefined();
    expect((await codeFlow(issuer, { prompt: 'consent' })).body.refresh_token).toBeDefined();
  });

  it('returns the union of granted scopes with include_granted_scopes=true', async () => {
    emulator.controls.setDefaultAccount({ email: 'incremental@example.com' });
    const first = await codeFlow(issuer, { scope: `openid email ${GMAIL_READONLY}` });
    expect(first.body.scope).toBe(`openid ${USERINFO_EMAIL} ${GMAIL_READONLY}`);
    const plain = await codeFlow(issuer, { scope: `openid ${CALENDAR}`, prompt: 'consent' });
    expect(plain.body.scope).toBe(`openid ${CALENDAR}`);
    const union = await codeFlow(issuer, { scope: `openid ${CALENDAR}`, include_granted_scopes: 'true', prompt: 'consent' });
    expect((union.body.scope as string).split(' ').sort()).toEqual(['openid', USERINFO_EMAIL, GMAIL_READONLY, CALENDAR].sort());
    expect(emulator.controls.grantFor('incremental@example.com')?.scopes.sort()).toEqual(['openid', USERINFO_EMAIL, GMAIL_READONLY, CALENDAR].sort());
  });

  it('withholds scopes chosen by nextConsent under auto-approve', async () => {
    emulator.controls.nextConsent({ withholdScopes: [GMAIL_READONLY] });
    const res = await codeFlow(issuer, { scope: `openid email ${GMAIL_READONLY} ${CALENDAR}` });
    expect(res.body.scope).toBe(`openid ${USERINFO_EMAIL} ${CALENDAR}`);
  });
});

describe('refresh_token grant', () => {
  it('refreshes without a new refresh token, then fails after revokeGrant', async () => {
    emulator.controls.setDefaultAccount({ email: 'revoked@example.com' });
    const { body } = await codeFlow(issuer);
    const refreshed = await refreshWith(issuer, body.refresh_token as string);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: body.scope });
    expect(refreshed.body.refresh_token).toBeUndefined();
    expect(emulator.calls.token_refresh).toBe(1);
    expect(emulator.calls.token).toBe(2);

    expect(emulator.controls.revokeGrant('revoked@example.com')).toBe(1);
    const after = await refreshWith(issuer, body.refresh_token as string);
    expect(after.status).toBe(400);
    expect(after.body).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    expect(emulator.controls.grantFor('revoked@example.com')?.revoked).toBe(true);
  });

  it('rotates refresh tokens when switched on', async () => {
    emulator.controls.rotateRefreshTokens(true);
    const { body } = await codeFlow(issuer, { prompt: 'consent' });
    const first = await refreshWith(issuer, body.refresh_token as string);
    expect(first.body.refresh_token).toMatch(/^1\/\/emu_/);
    expect((await refreshWith(issuer, body.refresh_token as string)).body.error).toBe('invalid_grant');
    expect((await refreshWith(issuer, first.body.refresh_token as string)).status).toBe(200);
  });

  it('may narrow but not widen scopes', async () => {
    const { body } = await codeFlow(issuer, { prompt: 'consent' });
    const rt = body.refresh_token as string;
    expect((await token(issuer, { grant_type: 'refresh_token', refresh_token: rt, scope: GMAIL_READONLY })).body.scope).toBe(GMAIL_READONLY);
    expect((await token(issuer, { grant_type: 'refresh_token', refresh_token: rt, scope: CALENDAR })).body.error).toBe('invalid_scope');
  });

  it('rejects an unknown refresh token with invalid_grant', async () => {
    expect((await refreshWith(issuer, '1//emu_nope')).body.error).toBe('invalid_grant');
  });
});

describe('token endpoint errors', () => {
  it('answers 401 invalid_client for a wrong secret or no client authentication, without a challenge', async () => {
    const wrong = await postForm(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT_ID, client_secret: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBeNull();
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
    const none = await postForm(`${issuer}/token`, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(none.status).toBe(401);
  });

  it('answers unsupported_grant_type and invalid_request', async () => {
    expect((await token(issuer, { grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    const dup = await postForm(`${issuer}/token`, { grant_type: ['refresh_token', 'refresh_token'], client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(((await dup.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('revocation', () => {
  it('revokes the whole grant from an access token; an unknown token is invalid_token', async () => {
    const { body } = await codeFlow(issuer, { prompt: 'consent' });
    const res = await postForm(`${issuer}/revoke`, { token: body.access_token as string });
    expect(res.status).toBe(200);
    expect((await refreshWith(issuer, body.refresh_token as string)).body.error).toBe('invalid_grant');
    const again = await postForm(`${issuer}/revoke`, { token: body.access_token as string });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_token');
    expect(emulator.calls.revoke).toBe(2);
  });
});
