import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectGoogle } from '../support/connect.js';
import { type Harness, startHarness } from '../support/harness.js';
import { exchange, newUser } from '../support/token-client.js';

describe('per-user rate limit on the bearer routes, and /metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => h?.close());

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('counts every bearer route together per Seren user and answers 429 rate_limited with Retry-After', async () => {
    const a = newUser(h);
    const b = newUser(h);
    await connectGoogle(h, a.id, { email: `${a.id}@example.com` });
    for (let i = 0; i < 3; i++) expect((await exchange(h, a.key, 'gmail')).status).toBe(200);
    expect((await fetch(`${h.url}/token/status`, { headers: bearer(a.key) })).status).toBe(200);
    expect((await fetch(`${h.url}/token/connect-link`, { method: 'POST', headers: bearer(a.key) })).status).toBe(200);

    const limited = await exchange(h, a.key, 'gmail');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    const body = await limited.json();
    expect(body.error).toBe('rate_limited');
    expect(body.message).toMatch(/Seren account/);
    expect((await fetch(`${h.url}/token/revoke`, { method: 'DELETE', headers: bearer(a.key) })).status).toBe(429);

    // Another user is not affected; an unknown key is rejected before any counting.
    expect((await exchange(h, b.key)).status).toBe(401);
    for (let i = 0; i < 8; i++) expect((await exchange(h, 'sk_unknown_key_for_rate_limit')).status).toBe(401);

    // A new minute, a new allowance.
    h.clock.advance(61);
    expect((await exchange(h, a.key, 'gmail')).status).toBe(200);
  });

  it('exposes Prometheus metrics: exchanges by outcome and publisher, cache hits and misses', async () => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/sga_token_exchanges_total\{outcome="ok",publisher="gmail"\} 4/);
    expect(text).toMatch(/sga_token_exchanges_total\{outcome="rate_limited",publisher="gmail"\} 1/);
    expect(text).toMatch(/sga_token_exchanges_total\{outcome="google_not_connected",publisher="none"\} 1/);
    expect(text).toMatch(/sga_token_cache_hits_total\{source="(memory|database)"\} \d+/);
    expect(text).toContain('sga_google_refresh_duration_seconds');
    expect(text).toContain('sga_process_cpu_seconds_total');
  });
});
