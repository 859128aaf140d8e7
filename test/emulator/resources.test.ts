import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GoogleEmulator } from '../../src/emulator/index.js';
import { CALENDAR, codeFlow, get, startEmulator } from './helpers.js';

let emulator: GoogleEmulator;
let issuer: string;
let nowMs = Date.now();

beforeAll(async () => {
  ({ emulator, issuer } = await startEmulator({ autoApprove: true, now: () => nowMs, defaultAccount: { email: 'reader@example.com', sub: '123' } }));
});
afterAll(() => emulator.close());
beforeEach(() => {
  nowMs = Date.now();
  emulator.controls.reset();
});

const profile = (accessToken?: string) =>
  get(`${issuer}/gmail/v1/users/me/profile`, accessToken ? { authorization: `Bearer ${accessToken}` } : {});

describe('GET /gmail/v1/users/me/profile', () => {
  it('answers for a valid token with a Gmail scope', async () => {
    const { body } = await codeFlow(issuer);
    const res = await profile(body.access_token as string);
    expect(res.status).toBe(200);
    const json = (await res.json()) as Record<string, unknown>;
    expect(json.emailAddress).toBe('reader@example.com');
    expect(typeof json.messagesTotal).toBe('number');
    expect(typeof json.threadsTotal).toBe('number');
    expect(typeof json.historyId).toBe('string');
  });

  it('answers 401 for a missing, unknown, expired or revoked token', async () => {
    expect((await profile()).status).toBe(401);
    expect((await profile('ya29.emu_unknown')).status).toBe(401);

    const { body } = await codeFlow(issuer);
    nowMs += 3_601_000;
    const expired = await profile(body.access_token as string);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');

    const fresh = await codeFlow(issuer);
    emulator.controls.revokeGrant('reader@example.com');
    expect((await profile(fresh.body.access_token as string)).status).toBe(401);
  });

  it('answers 403 for a token without a Gmail scope', async () => {
    const { body } = await codeFlow(issuer, { scope: `openid email ${CALENDAR}` });
    const res = await profile(body.access_token as string);
    expect(res.status).toBe(403);
    const json = (await res.json()) as { error: { code: number; status: string; details: Array<{ reason: string }> } };
    expect(json.error.code).toBe(403);
    expect(json.error.status).toBe('PERMISSION_DENIED');
    expect(json.error.details[0]?.reason).toBe('ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('expires access tokens with controls.advanceClock too', async () => {
    const { body } = await codeFlow(issuer);
    emulator.controls.advanceClock(3_600);
    expect(emulator.controls.accessTokenInfo(body.access_token as string)?.state).toBe('expired');
    expect((await profile(body.access_token as string)).status).toBe(401);
  });
});

describe('GET /v1/userinfo', () => {
  it('returns the subject and email for a valid token', async () => {
    const { body } = await codeFlow(issuer);
    const res = await get(`${issuer}/v1/userinfo`, { authorization: `Bearer ${body.access_token as string}` });
    expect(await res.json()).toEqual({ sub: '123', email: 'reader@example.com', email_verified: true });
    expect((await get(`${issuer}/v1/userinfo`)).status).toBe(401);
  });
});
