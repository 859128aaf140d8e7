import { createHash } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, importPKCS8, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoogleEmulator, ServiceAccountKey } from '../../src/emulator/index.js';
import { PUSH_DELIVERY_METHOD, RISC_EVENT_TYPES } from '../../src/emulator/index.js';
import { serviceAccountBearer } from '../../src/risc/service-account.js';
import { startSetReceiver } from '../support/set-receiver.js';
import { waitFor } from '../support/harness.js';
import { CLIENT_ID, FETCH_TIMEOUT_MS, codeFlow, get, refreshWith, startEmulator } from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;
let receiver: Awaited<ReturnType<typeof startSetReceiver>>;
let admin: ServiceAccountKey;

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({ autoApprove: true }));
  receiver = await startSetReceiver();
  admin = await emulator.controls.createServiceAccount();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

const keyOf = (k: ServiceAccountKey) => ({ clientEmail: k.client_email, privateKeyId: k.private_key_id, privateKey: k.private_key });
const bearer = async (k: ServiceAccountKey = admin) => `Bearer ${await serviceAccountBearer(keyOf(k), issuer, Date.now())}`;

function call(path: string, authorization: string | undefined, body?: unknown) {
  return fetch(`${issuer}/risc/v1beta/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
}

const streamFor = (url: string, events: string[] = Object.values(RISC_EVENT_TYPES)) => ({
  delivery: { delivery_method: PUSH_DELIVERY_METHOD, url },
  events_requested: events,
});

/** Verifies a SET as a receiver must, with the emulator's published keys. */
const verifySet = (set: string) =>
  jwtVerify(set, createRemoteJWKSet(new URL(`${issuer}/oauth2/v3/certs`)), { issuer, audience: CLIENT_ID, algorithms: ['RS256'] });

describe('risc-configuration', () => {
  it('names the issuer, the same JWKS as discovery, and the stream management endpoints', async () => {
    const doc = (await (await get(`${issuer}/.well-known/risc-configuration`)).json()) as Record<string, unknown>;
    const discovery = (await (await get(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toEqual({
      issuer,
      jwks_uri: discovery.jwks_uri,
      delivery_methods_supported: [PUSH_DELIVERY_METHOD],
      get_status_endpoint: `${issuer}/risc/v1beta/stream/status`,
      get_configuration_endpoint: `${issuer}/risc/v1beta/stream`,
      update_configuration_endpoint: `${issuer}/risc/v1beta/stream:update`,
      verification_endpoint: `${issuer}/risc/v1beta/stream:verify`,
    });
  });
});

describe('stream management API (authenticated like Google: a service-account JWT)', () => {
  it('stores the stream with a valid bearer and reads it back', async () => {
    const res = await call('stream:update', await bearer(), streamFor(receiver.url));
    expect(res.status).toBe(200);
    expect((await (await call('stream', await bearer())).json()).delivery.url).toBe(receiver.url);
    expect(emulator.controls.riscStream()?.events_requested).toContain(RISC_EVENT_TYPES['account-disabled']);
  });

  it('refuses a missing, forged, mis-addressed, expired or over-long bearer with 401', async () => {
    const sign = async (claims: Record<string, unknown>, key: ServiceAccountKey = admin) => {
      const now = Math.floor(Date.now() / 1000);
      return `Bearer ${await new SignJWT({ iss: key.client_email, sub: key.client_email, aud: `${issuer}/google.identity.risc.v1beta.RiscManagementService`, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.private_key_id })
        .sign(await importPKCS8(key.private_key, 'RS256'))}`;
    };
    const other = await emulator.controls.createServiceAccount({ email: 'other@emulated-project.iam.gserviceaccount.com' });
    const now = Math.floor(Date.now() / 1000);
    const cases = {
      none: undefined,
      garbage: 'Bearer not-a-jwt',
      'wrong audience': await sign({ aud: 'https://risc.googleapis.com/else' }),
      expired: await sign({ iat: now - 7200, exp: now - 3600 }),
      'longer than an hour': await sign({ exp: now + 7200 }),
      'another account’s key': await sign({ iss: admin.client_email, sub: admin.client_email }, { ...other, client_email: admin.client_email }),
    };
    for (const [what, authorization] of Object.entries(cases)) {
      const res = await call('stream', authorization);
      expect({ what, status: res.status }).toEqual({ what, status: 401 });
      expect((await res.json()).error.status).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 to a service account without the RISC Configuration Admin role', async () => {
    const plain = await emulator.controls.createServiceAccount({ riscAdmin: false });
    const res = await call('stream:update', await bearer(plain), streamFor(receiver.url));
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe('Service account needs permission to access your RISC configuration');
  });

  it('checks the configuration like Google: fields, push delivery, an HTTPS receiver, known event types', async () => {
    const expectError = async (body: unknown, status: number, message: RegExp) => {
      const res = await call('stream:update', await bearer(), body);
      expect(res.status).toBe(status);
      expect((await res.json()).error.message).toMatch(message);
    };
    await expectError({ events_requested: [] }, 400, /must contain delivery field/);
    await expectError({ delivery: { delivery_method: PUSH_DELIVERY_METHOD }, events_requested: [] }, 400, /delivery\.url/);
    await expectError(streamFor('http://receiver.example.com/risc/events'), 403, /must be an HTTPS URL/);
    await expectError(streamFor(receiver.url, ['https://example.com/not-an-event']), 400, /Unsupported event types/);
    await call('stream:update', await bearer(), streamFor(receiver.url)); // leave it configured
  });
});

describe('verification (stream:verify)', () => {
  it('later pushes a signed verification event carrying the state to the configured receiver', async () => {
    await call('stream:update', await bearer(), streamFor(receiver.url));
    const before = receiver.received.length;
    const res = await call('stream:verify', await bearer(), { state: 'check-42' });
    expect(res.status).toBe(200);
    await waitFor(() => receiver.received.length > before, 'the verification push');
    const got = receiver.received.at(-1)!;
    expect(got.contentType).toBe('application/secevent+jwt');
    const { payload } = await verifySet(got.body);
    expect(payload.events).toEqual({ [RISC_EVENT_TYPES.verification]: { state: 'check-42' } });
  });
});

describe('pushSecurityEvent (control)', () => {
  it('signs account-disabled about the account, like Google, and disables it at Google first', async () => {
    const { refresh_token } = (await codeFlow(issuer)).body as { refresh_token: string };
    const result = await emulator.controls.pushSecurityEvent({ event: 'account-disabled', reason: 'hijacking', receiver: receiver.url });
    expect(result.status).toBe(202);
    const { payload, protectedHeader } = await verifySet(result.set);
    expect(protectedHeader.typ).toBe('secevent+jwt');
    expect(payload.jti).toBe(result.jti);
    const sub = emulator.controls.grantFor('user@example.com')!.sub;
    expect(payload.events).toEqual({
      [RISC_EVENT_TYPES['account-disabled']]: { subject: { subject_type: 'iss-sub', iss: `${issuer}/`, sub }, reason: 'hijacking' },
    });
    expect((await refreshWith(issuer, refresh_token)).body.error).toBe('invalid_grant');
  });

  it('names a refresh token for token-revoked by either of Google’s identifiers', async () => {
    const { refresh_token } = (await codeFlow(issuer)).body as { refresh_token: string };
    const hash = createHash('sha512').update(createHash('sha512').update(refresh_token).digest()).digest('base64');
    for (const [alg, token] of [['hash_base64_sha512_sha512', hash], ['prefix', refresh_token.slice(0, 16)]] as const) {
      const { set } = await emulator.controls.pushSecurityEvent({ event: 'token-revoked', tokenIdentifierAlg: alg, receiver: receiver.url, applyAtGoogle: false });
      expect(decodeJwt(set).events).toEqual({
        [RISC_EVENT_TYPES['token-revoked']]: { subject: { subject_type: 'oauth_token', token_type: 'refresh_token', token_identifier_alg: alg, token } },
      });
    }
  });

  it('writes the RFC 9493 subject format when asked', async () => {
    const { set } = await emulator.controls.pushSecurityEvent({ event: 'account-enabled', subjectFormat: 'iss_sub', sub: '123', receiver: receiver.url });
    expect(decodeJwt(set).events).toEqual({ [RISC_EVENT_TYPES['account-enabled']]: { subject: { format: 'iss_sub', iss: `${issuer}/`, sub: '123' } } });
  });

  it('forges each way a receiver must refuse', async () => {
    const push = (tamper: Parameters<GoogleEmulator['controls']['pushSecurityEvent']>[0]['tamper']) =>
      emulator.controls.pushSecurityEvent({ event: 'account-enabled', sub: '1', receiver: receiver.url, tamper }).then((r) => r.set);
    expect(decodeProtectedHeader(await push('alg_none')).alg).toBe('none');
    expect(decodeProtectedHeader(await push('hs256_public_key')).alg).toBe('HS256');
    for (const tamper of ['bad_signature', 'unknown_key', 'wrong_issuer', 'wrong_audience'] as const) {
      await expect(verifySet(await push(tamper)), tamper).rejects.toThrow();
    }
    const now = Date.now() / 1000;
    expect(decodeJwt(await push('stale')).iat).toBeLessThan(now - 24 * 3600);
    expect(decodeJwt(await push('future')).iat).toBeGreaterThan(now + 600);
  });

  it('delivers to the configured stream only the event types it asked for', async () => {
    await call('stream:update', await bearer(), streamFor(receiver.url, [RISC_EVENT_TYPES.verification]));
    await expect(emulator.controls.pushSecurityEvent({ event: 'account-disabled', sub: '1' })).rejects.toThrow(/No receiver/);
    const ok = await emulator.controls.pushSecurityEvent({ event: 'verification', state: 's' });
    expect(ok.receiver).toBe(receiver.url);
    expect(emulator.controls.riscDeliveries().at(-1)).toMatchObject({ jti: ok.jti, status: 202 });
  });
});
