import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_DEADLINE_MS } from '../../src/tokens/deadline.js';
import { Browser } from '../../src/demo/browser.js';
import { AuthFlow } from '../support/auth-flow.js';
import { connectGoogle } from '../support/connect.js';
import { onPostgresServer } from '../support/database.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { exchange, exchangeJson, newUser } from '../support/token-client.js';

/**
 * Google failing in the ways the fault-injection pass found (SPEC §3 "While Google is
 * unavailable", Google's back-off, one deadline per exchange). With the PostgreSQL server, two
 * instances share the database; embedded, one instance.
 */
describe('Google faults', () => {
  let instances: Harness[];
  let a: Harness;
  beforeAll(async () => {
    a = await startHarness({ logLevel: 'info' });
    instances = [a];
    if (onPostgresServer()) instances.push(await startHarness({ storage: a.storage, google: a.google, seren: a.seren, logLevel: 'info' }));
  });
  afterAll(async () => {
    for (const h of instances.slice(1)) await h.close();
    await a?.close();
  });
  afterEach(() => a.google.controls.clearFailures());

  /** Every instance's clock moves together, like the real clocks of several machines. */
  const advance = (seconds: number) => instances.forEach((h) => h.clock.advance(seconds));
  const connectedUsers = async (n: number) => {
    const users = Array.from({ length: n }, () => newUser(a));
    for (const u of users) await connectGoogle(a, u.id, { email: `${u.id}@example.com` });
    a.google.resetCalls();
    return users;
  };
  /** Each answer as `status` or `status error`, and how long it took. */
  const timedExchange = async (h: Harness, key: string, publisher?: string) => {
    const started = performance.now();
    const res = await exchange(h, key, publisher);
    const body = (await res.json()) as Record<string, unknown>;
    return { status: res.status, error: body.error, body, retryAfter: res.headers.get('retry-after'), ms: performance.now() - started };
  };

  it('a degraded answer only with a stored token that outlives the gateway cache, with a truthful expires_in', async () => {
    const [short] = await connectedUsers(1);
    a.google.controls.failNext('token', { status: 503 }, Infinity);

    // 237 s left: the gateway would cache it for gmail's 3,500 s. Before: 200 with expires_in 177.
    advance(3600 - 237);
    const gmail = await timedExchange(a, short!.key, 'gmail');
    expect(gmail).toMatchObject({ status: 503, error: 'google_unavailable' });
    expect(gmail.retryAfter).toMatch(/^[1-9]\d*$/);
    // Without a publisher, 60 s of life is enough.
    const bare = await exchangeJson(a, short!.key);
    expect(bare.status).toBe(200);
    expect(bare.body.expires_in).toBeGreaterThanOrEqual(170);
    expect(bare.body.expires_in).toBeLessThanOrEqual(177);

    // 3,550 s left: too little for a normal gmail answer (3,560 s), enough for a degraded one.
    a.google.controls.clearFailures();
    const other = await connectedUsers(1);
    a.google.controls.failNext('token', { status: 503 }, Infinity);
    advance(50);
    const degraded = await exchangeJson(a, other[0]!.key, 'gmail');
    expect(degraded.status).toBe(200);
    expect(degraded.body.expires_in).toBeGreaterThanOrEqual(3440);
    expect(degraded.body.expires_in).toBeLessThanOrEqual(3490);
  });

  it('a hanging Google: every exchange answers within the deadline, on every instance', async () => {
    const users = await connectedUsers(3);
    advance(3600);
    a.google.controls.failNext('token', { hang: true }, Infinity);
    const answers = await Promise.all(users.flatMap((u) => instances.flatMap((h) => [timedExchange(h, u.key, 'gmail'), timedExchange(h, u.key)])));
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, error: 'google_unavailable' });
      expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
      // Before: 10 s for the refresher, 20 s for a waiter on another instance.
      expect(answer.ms).toBeLessThan(EXCHANGE_DEADLINE_MS + 1_000);
    }
    // While the first refreshes still hang, later exchanges are bounded the same way.
    const later = await timedExchange(instances.at(-1)!, users[0]!.key, 'gmail');
    expect(later.status).toBe(503);
    expect(later.ms).toBeLessThan(EXCHANGE_DEADLINE_MS + 1_000);

    a.google.controls.clearFailures();
    await waitFor(async () => (await exchange(a, users[0]!.key, 'gmail')).status === 200, 'recovery once Google answers', 15_000);
  }, 45_000);

  it("Google's 429 with Retry-After 30: no instance calls its token endpoint inside the window", async () => {
    const users = await connectedUsers(8);
    advance(3600);
    a.google.controls.failNext('token', { status: 429, retryAfter: 30 }, Infinity);
    const first = await timedExchange(a, users[0]!.key, 'gmail');
    expect(first).toMatchObject({ status: 503, error: 'google_unavailable', retryAfter: '30' });

    // Every user, on every instance, at once: no further call (before: ~3 calls per exchange).
    const burst = await Promise.all(users.flatMap((u) => instances.map((h) => timedExchange(h, u.key, 'gmail'))));
    for (const answer of burst) {
      expect(answer).toMatchObject({ status: 503, error: 'google_unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(30);
    }
    advance(20);
    const inside = await Promise.all(users.flatMap((u) => instances.map((h) => timedExchange(h, u.key))));
    for (const answer of inside) expect(Number(answer.retryAfter)).toBeLessThanOrEqual(10);
    // A user finishing the connect flow in the browser meanwhile: no code redemption either.
    const flow = new AuthFlow(instances.at(-1)!);
    const newcomer = flow.user(`sk_test_backoff_${Math.random().toString(36).slice(2)}`);
    const page = await flow.connect(new Browser(), newcomer.key, 'gmail');
    expect(page.status).toBe(502);
    expect(page.body).toMatch(/Nothing was stored/);
    expect(a.google.calls.token).toBeLessThanOrEqual(instances.length);

    // The window ends: Google is called again, and answers.
    a.google.controls.clearFailures();
    advance(10);
    const after = await Promise.all(users.map((u, i) => timedExchange(instances[i % instances.length]!, u.key, 'gmail')));
    expect(after.map((x) => x.status)).toEqual(Array(users.length).fill(200));
  }, 45_000);
});
