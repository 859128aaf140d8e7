import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleEmulator } from '../../src/emulator/index.js';
import { GoogleClient } from '../../src/google/client.js';
import { GoogleError } from '../../src/google/errors.js';
import * as oidc from 'openid-client';

/** How every failure of a call to Google is classified at the one boundary (src/google/errors.ts). */
describe('GoogleClient failure classes', () => {
  const google = new GoogleEmulator({ autoApprove: true });
  let client: GoogleClient;
  let refreshToken: string;
  beforeAll(async () => {
    const issuer = await google.start();
    client = new GoogleClient({ issuer, clientId: 'dev-client-id', clientSecret: 'dev-client-secret', redirectUri: 'http://127.0.0.1:1/cb', timeoutSeconds: 0.3 });
    // One real code flow (auto-approved) for a refresh token to refresh with.
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const url = await client.authorizationUrl({ scopes: ['openid', 'email'], ...checks, codeChallenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier) });
    const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    refreshToken = (await client.redeemCode(callback.searchParams, checks)).refreshToken!;
  });
  afterAll(() => google.close());

  const failure = async () => {
    const err = await client.refresh(refreshToken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleError);
    return err as GoogleError;
  };

  it('a time-out is unavailable (reason timeout), never a refused grant', async () => {
    google.controls.failNext('token', { delayMs: 1_000 });
    expect(await failure()).toMatchObject({ kind: 'unavailable', reason: 'timeout' });
  });

  it('5xx is a server error, 429 is rate limiting with its Retry-After', async () => {
    google.controls.failNext('token', { status: 503 });
    expect(await failure()).toMatchObject({ kind: 'unavailable', reason: 'server_error' });
    google.controls.failNext('token', { status: 429, retryAfter: 7 });
    expect(await failure()).toMatchObject({ kind: 'unavailable', reason: 'rate_limited', retryAfterSeconds: 7 });
  });

  it('invalid_client and unauthorized_client are misconfiguration; invalid_grant is a refused grant', async () => {
    for (const error of ['invalid_client', 'unauthorized_client'] as const) {
      google.controls.failNext('token', { error });
      expect(await failure()).toMatchObject({ kind: 'misconfigured', oauthError: error });
    }
    google.controls.failNext('token', { error: 'invalid_grant' });
    expect(await failure()).toMatchObject({ kind: 'invalid_grant' });
  });

  it('a refused connection is unreachable', async () => {
    const nowhere = new GoogleClient({ issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y', redirectUri: 'http://127.0.0.1:1/cb' });
    await expect(nowhere.refresh('1//x')).rejects.toMatchObject({ kind: 'unavailable', reason: 'unreachable' });
  });
});
