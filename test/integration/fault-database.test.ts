import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { connectGoogle } from '../support/connect.js';
import { onPostgresServer } from '../support/database.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { exchange, logLines, newUser } from '../support/token-client.js';

/**
 * Fault injection between the service and PostgreSQL: a TCP proxy the tests cut, stall and strand.
 * (The embedded database has no network: these run on the PostgreSQL server only.)
 */
describe.runIf(onPostgresServer())('database faults', () => {
  let h: Harness;
  let b: Harness;
  let proxy: TcpProxy;
  beforeAll(async () => {
    const server = new URL(process.env.DATABASE_URL!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    const viaProxy = (config: Config) => ({ ...config, databaseUrl: proxy.url(config.databaseUrl!) });
    h = await startHarness({ configure: viaProxy, logLevel: 'info' });
    b = await startHarness({ configure: viaProxy, storage: h.storage, google: h.google, seren: h.seren, logLevel: 'info' });
  });
  afterAll(async () => {
    proxy?.resume();
    await b?.close();
    await h?.close();
    await proxy?.close();
  });
  afterEach(async () => {
    proxy.resume();
    await waitFor(async () => (await fetch(`${h.url}/ready`)).ok, 'recovery after the test', 15_000);
  });

  const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
    const started = performance.now();
    const result = await work();
    return { result, ms: performance.now() - started };
  };
  const status = (key: string) => fetch(`${h.url}/token/status`, { headers: { authorization: `Bearer ${key}` } });

  it('stranded connections: /ready answers 503 within 2 s, and the instance recovers without a restart', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com` });
    // Fill the pool with connections, then make every one of them silent.
    await Promise.all(Array.from({ length: 10 }, () => status(user.key)));
    expect(proxy.connections).toBeGreaterThan(1);
    proxy.stall();

    const ready = await timed(() => fetch(`${h.url}/ready`));
    expect(ready.result.status).toBe(503);
    expect(ready.ms).toBeLessThan(2_000);
    expect((await ready.result.json()).checks.database).toBe(false);
    const during = await timed(() => status(user.key));
    expect(during.result.status).toBe(503);
    expect(await during.result.json()).toMatchObject({ error: 'service_unavailable' });
    expect(during.result.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    // The database is back, but the stalled connections stay stranded (no reset ever comes).
    proxy.resume();
    const recovery = await timed(() => waitFor(async () => (await status(user.key)).status === 200, 'recovery', 15_000));
    expect(recovery.ms).toBeLessThan(5_000);
    expect((await fetch(`${h.url}/ready`)).status).toBe(200);
  });

  it('a cut database: 503 service_unavailable with Retry-After, one log line per outage, not a stack per request', async () => {
    const user = newUser(h);
    await connectGoogle(h, user.id, { email: `${user.id}@example.com` });
    const before = h.logs.length;
    proxy.cut();
    const answers = await Promise.all(Array.from({ length: 30 }, () => status(user.key)));
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ error: 'service_unavailable', message: expect.stringMatching(/database/) });
    }
    // An exchange that needs the database (the grant is not in this instance's memory) answers the same.
    h.clock.advance(3);
    const exchanged = await exchange(h, user.key, 'gmail');
    expect(exchanged.status).toBe(503);
    expect((await exchanged.json()).error).toBe('service_unavailable');

    // A browser gets a page that says so (the link is not used).
    const page = await fetch(`${h.url}/auth/google?seren_token=sct_${'a'.repeat(43)}`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await page.text()).toMatch(/has not been used/);

    proxy.resume();
    await waitFor(async () => (await status(user.key)).status === 200, 'recovery', 15_000);
    const lines = logLines(h).slice(before);
    expect(lines.filter((l) => l.msg.startsWith('database unavailable'))).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'database available again')).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    expect(lines.filter((l) => l.level >= 50 && 'err' in l)).toEqual([]);
  });

  it('a 3 s cut during refreshes, with refresh-token rotation on: every rotated refresh token is stored, no grant lost', async () => {
    const users = Array.from({ length: 10 }, () => newUser(h));
    for (const u of users) await connectGoogle(h, u.id, { email: `${u.id}@example.com` });
    h.google.resetCalls();
    h.google.controls.rotateRefreshTokens(true);
    try {
      h.google.controls.failNext('token', { delayMs: 1_000 }, users.length); // Google answers during the cut
      [h, b].forEach((x) => x.clock.advance(3600));
      const burst = Promise.all(users.map((u, i) => exchange(i % 2 ? b : h, u.key, 'gmail')));
      await waitFor(() => h.google.calls.token_refresh >= users.length, 'every refresh at Google', 10_000);
      proxy.cut();
      await sleep(3_000);
      proxy.resume();
      for (const res of await burst) {
        // Google's token is answered even though it could not be stored yet; or the database was needed.
        if (res.status !== 200) expect((await res.json()).error).toBe('service_unavailable');
      }
      // Each instance writes the rotated refresh tokens it kept as soon as the database is back (before: lost).
      const stored = async () => (await h.service.db.query(`SELECT 1 FROM user_google_tokens WHERE last_refreshed_at IS NOT NULL`)).length;
      await waitFor(async () => (await stored()) >= users.length, 'the kept refresh tokens to be stored', 10_000);

      [h, b].forEach((x) => x.clock.advance(3600));
      const later = await Promise.all(users.map((u, i) => exchange(i % 2 ? h : b, u.key, 'gmail')));
      expect(later.map((r) => r.status)).toEqual(Array(users.length).fill(200));
      expect(await h.service.db.query(`SELECT 1 FROM user_google_tokens WHERE status <> 'active'`)).toHaveLength(0);
    } finally {
      h.google.controls.rotateRefreshTokens(false);
    }
  }, 45_000);
});
