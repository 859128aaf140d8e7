import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEmulator, IdTokenTamper } from '../../src/emulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, GMAIL_READONLY, REDIRECT_URI, get, startEmulator } from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;
let config: client.Configuration;

/** What the broker does: discovery over http, ID token signatures checked against the JWKS. */
async function discover(): Promise<client.Configuration> {
  const cfg = await client.discovery(new URL(issuer), CLIENT_ID, CLIENT_SECRET, undefined, {
    execute: [client.allowInsecureRequests],
    timeout: 5,
  });
  client.enableNonRepudiationChecks(cfg);
  return cfg;
}

/** Browser leg with auto-approve, then `authorizationCodeGrant` with PKCE, state and nonce. */
async function codeFlow(cfg: client.Configuration) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT_URI,
    scope: `openid email ${GMAIL_READONLY}`,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    access_type: 'offline',
    prompt: 'consent',
  });
  const res = await get(url.href);
  expect(res.status).toBe(302);
  const callback = new URL(res.headers.get('location') ?? '');
  return client.authorizationCodeGrant(cfg, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
}

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({ autoApprove: true }));
  config = await discover();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.controls.reset());

describe('openid-client 6 against the emulator', () => {
  it('runs the full code flow, refreshes, revokes, and then the refresh fails with invalid_grant', async () => {
    const tokens = await codeFlow(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.access_token).toMatch(/^ya29\.emu_/);
    expect(tokens.refresh_token).toMatch(/^1\/\/emu_/);
    expect(tokens.scope?.split(' ')).toEqual(['openid', 'https://www.googleapis.com/auth/userinfo.email', GMAIL_READONLY]);
    const claims = tokens.claims();
    expect(claims?.iss).toBe(issuer);
    expect(claims?.aud).toBe(CLIENT_ID);
    expect(claims?.email).toBe('user@example.com');
    expect(claims?.email_verified).toBe(true);
    expect(emulator.calls.jwks).toBe(1); // the signature really was checked against the JWKS

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeUndefined();
    expect(emulator.calls.token_refresh).toBe(1);

    await client.tokenRevocation(config, tokens.refresh_token!);
    expect(emulator.controls.accessTokenInfo(refreshed.access_token)?.state).toBe('revoked');
    const err = await client.refreshTokenGrant(config, tokens.refresh_token!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect((err as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('reports access_denied as an AuthorizationResponseError', async () => {
    emulator.controls.nextConsent({ deny: true });
    const err = await codeFlow(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.AuthorizationResponseError);
    expect((err as client.AuthorizationResponseError).error).toBe('access_denied');
  });

  it('surfaces an injected invalid_client as a ResponseBodyError', async () => {
    emulator.controls.failNext('token', { error: 'invalid_client' });
    const err = await codeFlow(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(client.ResponseBodyError);
    expect((err as client.ResponseBodyError).error).toBe('invalid_client');
    expect((err as client.ResponseBodyError).status).toBe(401);
  });

  const tampers: Array<[IdTokenTamper, string, string]> = [
    ['wrong_nonce', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', '"nonce"'],
    ['wrong_audience', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', '"aud"'],
    ['wrong_issuer', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', '"iss"'],
    // openid-client reports a bad signature as a generic invalid response; the cause says which.
    ['bad_signature', 'OAUTH_INVALID_RESPONSE', 'signature verification failed'],
    ['expired', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', '"exp"'],
  ];
  it.each(tampers)('rejects an ID token tampered with as %s', async (kind, code, mentions) => {
    emulator.controls.tamperNextIdToken(kind);
    const err = (await codeFlow(config).catch((e: unknown) => e)) as client.ClientError;
    expect(err).toBeInstanceOf(client.ClientError);
    expect(err.code).toBe(code);
    expect((err.cause as Error).message).toContain(mentions);
    // The next flow is clean again.
    await expect(codeFlow(config)).resolves.toBeDefined();
  });

  it('issues ID tokens that verify with jose against the published JWKS', async () => {
    const tokens = await codeFlow(config);
    const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth2/v3/certs`));
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks, { issuer, audience: CLIENT_ID });
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.azp).toBe(CLIENT_ID);
    expect(typeof payload.at_hash).toBe('string');
  });

  it('uses client_secret_basic as well', async () => {
    const cfg = await client.discovery(new URL(issuer), CLIENT_ID, undefined, client.ClientSecretBasic(CLIENT_SECRET), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const tokens = await codeFlow(cfg);
    expect(tokens.access_token).toBeTruthy();
  });
});
