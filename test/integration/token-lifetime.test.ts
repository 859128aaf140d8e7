import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchangeJson, logLines, newUser } from '../support/token-client.js';

const READONLY = ['https://www.googleapis.com/auth/gmail.readonly'];

/** The gateway-safety rule (SPEC §3) with cache TTLs near Google's 3600 s token lifetime. */
describe('token lifetime rules', () => {
  let h: Harness;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sga-publishers-')), 'publishers.json');
    writeFileSync(
      file,
      JSON.stringify({
        'long-cache': { name: 'Long cache', scopes: READONLY, token_cache_ttl_seconds: 3530 },
        'too-long-cache': { name: 'Too long cache', scopes: READONLY, token_cache_ttl_seconds: 3590 },
      }),
    );
    h = await startHarness({ env: { PUBLISHERS_FILE: file } });
  });
  afterAll(() => h?.close());

  it('warns at start about a publisher whose rule no token can meet, and only about that one', () => {
    const warnings = logLines(h).filter((l) => l.level === 40 && l.publisher);
    expect(warnings.map((l) => l.publisher)).toEqual(['too-long-cache']);
    expect(warnings[0]!.msg).toMatch(/mints a new token/);
  });

  it('a token returned for a publisher with a large cache TTL outlives that TTL + 60 s', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com`, scopes: READONLY });
    h.google.resetCalls();
    let moved = 0;
    for (const step of [0, 5, 5, 5, 5, 30, 600, 5]) {
      // Both clocks move together, so Google's idea of the token's expiry is comparable with ours.
      h.clock.advance(step);
      h.google.controls.advanceClock(step);
      moved += step;
      const { status, body } = await exchangeJson(h, user.key, 'long-cache');
      expect(status).toBe(200);
      expect(body.expires_in).toBeGreaterThanOrEqual(3530);
      const remainingAtGoogle = h.google.controls.accessTokenInfo(String(body.access_token))!.expiresAt! - (Date.now() + moved * 1000);
      expect(remainingAtGoogle).toBeGreaterThan((3530 + 60) * 1000 - 1000);
    }
    // 3600 - 3590 = 10 s of use per token: a refresh every other step or so, never every call.
    expect(h.google.calls.token_refresh).toBeGreaterThanOrEqual(3);
    expect(h.google.calls.token_refresh).toBeLessThan(8);
  });

  it('where no token can meet the rule, each exchange returns a freshly minted token, never an older one', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com`, scopes: READONLY });
    h.google.resetCalls();
    const seen = new Set<unknown>();
    for (let i = 1; i <= 3; i++) {
      h.clock.advance(1);
      const { status, body } = await exchangeJson(h, user.key, 'too-long-cache');
      expect(status).toBe(200);
      expect(seen.has(body.access_token)).toBe(false);
      seen.add(body.access_token);
      expect(body.expires_in).toBeGreaterThanOrEqual(3538);
      expect(h.google.calls.token_refresh).toBe(i);
    }
    // A burst still makes one refresh.
    h.clock.advance(1);
    h.google.controls.failNext('token', { delayMs: 200 });
    const burst = await Promise.all(Array.from({ length: 20 }, () => exchangeJson(h, user.key, 'too-long-cache')));
    expect(new Set(burst.map((b) => b.body.access_token)).size).toBe(1);
    expect(h.google.calls.token_refresh).toBe(4);
  });
});
