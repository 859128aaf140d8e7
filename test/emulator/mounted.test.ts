import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GoogleEmulator } from '../../src/emulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, GMAIL_READONLY, REDIRECT_URI, authorize, codeFlow, get, pkce, postForm, postJson, refreshWith } from './helpers.js';

let host: FastifyInstance;
let emulator: GoogleEmulator;
let origin: string;
let issuer: string;

/** A host app like the service in dev mode: its own routes and form parser, the emulator under /_google. */
async function startHost(exposeControls: boolean, forceCloseConnections = true): Promise<{ app: FastifyInstance; emu: GoogleEmulator; origin: string }> {
  const app = Fastify({ logger: false, forceCloseConnections });
  await app.register(formbody);
  app.post('/echo', async (req) => req.body);
  // The port is ephemeral here, so the issuer is provisional until after listen().
  const emu = new GoogleEmulator({ issuer: 'http://127.0.0.1/_google', autoApprove: true });
  await app.register(emu.plugin, { prefix: '/_google', exposeControls });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  emu.setIssuer(`${base}/_google`);
  return { app, emu, origin: base };
}

beforeAll(async () => {
  ({ app: host, emu: emulator, origin } = await startHost(true));
  issuer = `${origin}/_google`;
});
afterAll(() => host.close());
beforeEach(() => emulator.controls.reset());

describe('mounted under a prefix', () => {
  it('advertises endpoints that carry the prefix', async () => {
    const doc = (await (await get(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(issuer);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint']) {
      expect(String(doc[key])).toMatch(new RegExp(`^${issuer}/`));
    }
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
  });

  it('works with openid-client discovery on the prefixed issuer', async () => {
    const config = await client.discovery(new URL(issuer), CLIENT_ID, CLIENT_SECRET, undefined, {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: `openid email ${GMAIL_READONLY}`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 's',
      nonce: 'n',
      access_type: 'offline',
    });
    const res = await get(url.href);
    const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location') ?? ''), {
      pkceCodeVerifier: verifier,
      expectedState: 's',
      expectedNonce: 'n',
    });
    expect(tokens.claims()?.iss).toBe(issuer);
  });

  it('leaves the host app alone (its routes and its form parser)', async () => {
    const res = await postForm(`${origin}/echo`, { a: '1' });
    expect(await res.json()).toEqual({ a: '1' });
    expect((await get(`${origin}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('serves the consent page with prefixed asset and form URLs', async () => {
    const { challenge } = pkce();
    emulator.controls.autoApprove = false;
    const res = await get(`${issuer}/o/oauth2/v2/auth?${new URLSearchParams({
      client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: `openid ${GMAIL_READONLY}`,
      state: 's', code_challenge: challenge, code_challenge_method: 'S256',
    }).toString()}`);
    const html = await res.text();
    expect(html).toContain('href="/_google/o/oauth2/v2/consent.css"');
    expect(html).toContain('action="/_google/o/oauth2/v2/auth/decision"');
    expect((await get(`${origin}/_google/o/oauth2/v2/consent.css`)).status).toBe(200);
  });
});

describe('HTTP controls', () => {
  const control = (name: string, body: unknown = {}) => postJson(`${issuer}/_control/${name}`, body);

  it('drives consent, failures, counters and revocation over HTTP', async () => {
    expect((await control('nextConsent', { deny: true })).status).toBe(200);
    expect((await authorize(issuer, { code_challenge: pkce().challenge })).searchParams.get('error')).toBe('access_denied');

    expect((await control('failNext', { endpoint: 'token', failure: { status: 503 }, persistent: true })).status).toBe(200);
    const { body: failed } = await codeFlow(issuer).catch(() => ({ body: {} }));
    expect(failed).toMatchObject({ error: 'temporarily_unavailable' });
    await control('clearFailures', {});

    await control('omitRefreshToken', { next: true });
    expect((await codeFlow(issuer, { prompt: 'consent' })).body.refresh_token).toBeUndefined();
    const { body } = await codeFlow(issuer, { prompt: 'consent' });

    await control('tamperNextIdToken', { kind: 'wrong_nonce' });
    await control('autoApprove', { on: true });
    await control('rotateRefreshTokens', { on: false });
    await control('advanceClock', { seconds: 0 });

    const grant = (await (await get(`${issuer}/_control/grant?email=user%40example.com`)).json()) as { refreshTokens: number };
    expect(grant.refreshTokens).toBeGreaterThan(0);
    expect(await (await control('revokeGrant', { email: 'user@example.com' })).json()).toEqual({ revoked: 1 });
    expect((await refreshWith(issuer, body.refresh_token as string)).body.error).toBe('invalid_grant');

    const calls = (await (await get(`${issuer}/_control/calls`)).json()) as Record<string, number>;
    expect(calls.token_refresh).toBe(1);
    expect(calls.authorize).toBe(4);
    await control('resetCalls');
    expect(((await (await get(`${issuer}/_control/calls`)).json()) as Record<string, number>).authorize).toBe(0);
  });

  it('rejects malformed control requests with invalid_request', async () => {
    const res = await control('failNext', { endpoint: 'nowhere', failure: { status: 418 } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    const notJson = await fetch(`${issuer}/_control/reset`, { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } });
    expect(notJson.status).toBe(415);
  });
});

describe('mount options', () => {
  it('hides the controls unless exposeControls is set', async () => {
    const other = await startHost(false);
    try {
      expect((await get(`${other.origin}/_google/_control/calls`)).status).toBe(404);
      expect((await get(`${other.origin}/_google/.well-known/openid-configuration`)).status).toBe(200);
    } finally {
      await other.app.close();
    }
  });

  it('refuses to mount without an issuer', async () => {
    const app = Fastify();
    await expect(app.register(new GoogleEmulator().plugin, { prefix: '/_google' }).ready()).rejects.toThrow(/issuer is required/);
    await app.close();
  });

  it('does not hold up the host app shutdown on a delayed response', async () => {
    // Fastify's default only closes idle connections, so this relies on the plugin's preClose hook.
    const other = await startHost(false, false);
    other.emu.controls.failNext('jwks', { delayMs: 60_000 });
    const pending = fetch(`${other.origin}/_google/oauth2/v3/certs`).catch((e: unknown) => e);
    while (other.emu.calls.jwks === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await other.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await pending;
  });
});
