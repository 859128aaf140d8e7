import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_MEMORY_TTL_MS } from '../../src/tokens/grant-memory.js';
import { connectGoogle } from '../support/connect.js';
import { onPostgresServer } from '../support/database.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchangeJson, newUser } from '../support/token-client.js';

/** Two instances sharing one PostgreSQL database (the embedded database belongs to one process). */
describe.runIf(onPostgresServer())('two instances on one database', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    a = await startHarness();
    b = await startHarness({ storage: a.storage, google: a.google, seren: a.seren });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** Both instances' clocks move together, like the real clocks of two machines. */
  const advance = (seconds: number) => {
    a.clock.advance(seconds);
    b.clock.advance(seconds);
  };

  const connected = async () => {
    const user = newUser(a);
    await connectGoogle(a, user.id, { email: `${user.id}@example.com` });
    const first = await exchangeJson(a, user.key, 'gmail');
    expect((await exchangeJson(b, user.key, 'gmail')).body.access_token).toBe(first.body.access_token);
    a.google.resetCalls();
    return { ...user, token: first.body.access_token };
  };

  it('200 concurrent exchanges spread over both instances cause exactly one refresh', async () => {
    const user = await connected();
    advance(41);
    a.google.controls.failNext('token', { delayMs: 300 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => exchangeJson(i % 2 ? a : b, user.key, 'gmail')));
    expect(answers.map((x) => x.status)).toEqual(Array(200).fill(200));
    const tokens = new Set(answers.map((x) => x.body.access_token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(user.token)).toBe(false);
    expect(a.google.calls.token_refresh).toBe(1);
    // The instance that lost the lease waited for the winner's token instead of calling Google.
    const leaseWaits = async (h: Harness) => Number(/sga_refresh_single_flight_waiters_total\{scope="lease"\} (\d+)/.exec(await (await fetch(`${h.url}/metrics`)).text())?.[1] ?? 0);
    expect((await leaseWaits(a)) + (await leaseWaits(b))).toBeGreaterThanOrEqual(1);
  });

  it('an instance reuses the token another instance obtained (the database cache)', async () => {
    const user = await connected();
    advance(41);
    const fromA = await exchangeJson(a, user.key, 'gmail');
    const fromB = await exchangeJson(b, user.key, 'gmail');
    expect(fromB.body.access_token).toBe(fromA.body.access_token);
    expect(a.google.calls.token_refresh).toBe(1);
  });

  it('a disconnect on one instance reaches the other within the in-memory TTL', async () => {
    const user = await connected();
    const res = await fetch(`${a.url}/token/revoke`, { method: 'DELETE', headers: { authorization: `Bearer ${user.key}` } });
    expect((await res.json()).status).toBe('disconnected');
    expect((await exchangeJson(a, user.key, 'gmail')).body.error).toBe('google_not_connected');
    advance(GRANT_MEMORY_TTL_MS / 1000);
    expect((await exchangeJson(b, user.key, 'gmail')).body.error).toBe('google_not_connected');
  });
});
