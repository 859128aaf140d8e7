import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type HarnessOptions, startHarness } from '../support/harness.js';

/**
 * Strict mode behind a TLS-terminating proxy (SPEC §9), as the README sets it up. parseConfig
 * refuses strict mode with the http:// emulator, so the parsed config is switched to strict here;
 * the app's behaviour is real. This test plays the proxy: it connects from 127.0.0.1 and sets
 * the X-Forwarded-* headers a proxy would.
 */
const strictHarness = (env: Record<string, string>, opts: HarnessOptions = {}) =>
  startHarness({ ...opts, env, configure: (c) => ({ ...c, strict: true }) });

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('production (strict) mode behind a proxy (TRUST_PROXY=1)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await strictHarness({ TRUST_PROXY: '1' });
  });
  afterAll(() => h?.close());

  const viaProxy = (path: string, proto: string, init: RequestInit = {}) =>
    fetch(`${h.url}${path}`, { ...init, headers: { 'x-forwarded-proto': proto, 'x-forwarded-for': '203.0.113.7', ...init.headers } });

  it('answers requests that arrived over HTTPS, with HSTS', async () => {
    const res = await viaProxy('/token/status', 'https', { headers: { authorization: 'Bearer sk_unknown' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });

  it('refuses API and browser requests that did not arrive over HTTPS', async () => {
    const refused = [
      await viaProxy('/token/status', 'http', { headers: { authorization: 'Bearer sk_x' } }),
      await fetch(`${h.url}/token/exchange`, { method: 'POST', headers: { authorization: 'Bearer sk_x' } }),
      await fetch(`${h.url}/auth/google?seren_token=x`),
      await fetch(`${h.url}/`),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'https_required', message: 'This service only answers over HTTPS.' });
    }
  });

  it('answers /health, /ready and /metrics over plain HTTP (the container health check, a Prometheus scrape), with no cookie', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      for (const res of [await fetch(`${h.url}${path}`), await viaProxy(path, 'http')]) {
        expect(res.status, path).toBe(200);
        expect(res.headers.getSetCookie(), path).toEqual([]);
      }
    }
    expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'healthy', service: 'google-auth' });
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^# HELP /m);
  });

  it('counts /auth requests on the address the proxy saw, whatever X-Forwarded-For the client sent', async () => {
    const limit = h.config.authRateLimitPerMinute;
    const statuses: number[] = [];
    for (let i = 0; i < limit + 10; i++) {
      // The client forged its own X-Forwarded-For; the proxy appended the address it saw.
      const res = await viaProxy('/auth/google/cancel', 'https', { headers: { 'x-forwarded-for': `198.51.100.${i % 250}, 203.0.113.9` } });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s !== 429)).toHaveLength(limit);
    expect(statuses.slice(limit).every((s) => s === 429)).toBe(true);
    // Another client behind the same proxy still has its own budget.
    expect((await viaProxy('/auth/google/cancel', 'https', { headers: { 'x-forwarded-for': '203.0.113.10' } })).status).not.toBe(429);
  });
});

describe('production mode behind a proxy named by its address', () => {
  it('believes X-Forwarded-Proto only from the listed proxy', { timeout: 60_000 }, async () => {
    const listed = await strictHarness({ TRUST_PROXY: '127.0.0.1' });
    try {
      const res = await fetch(`${listed.url}/token/status`, { headers: { 'x-forwarded-proto': 'https', authorization: 'Bearer sk_x' } });
      expect(res.status).toBe(401); // past the HTTPS rule, stopped by the unknown key
    } finally {
      await listed.close();
    }
    const elsewhere = await strictHarness({ TRUST_PROXY: '10.9.8.7' });
    try {
      // This peer is not the proxy: its claim of HTTPS counts for nothing.
      const res = await fetch(`${elsewhere.url}/token/status`, { headers: { 'x-forwarded-proto': 'https', authorization: 'Bearer sk_x' } });
      expect(res.status).toBe(403);
      expect((await fetch(`${elsewhere.url}/health`)).status).toBe(200);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await strictHarness({ TRUST_PROXY: '1', METRICS_TOKEN });
  });
  afterAll(() => h?.close());

  it('requires the bearer token, over plain HTTP too', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
      const res = await fetch(`${h.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect((await res.json()).error).toBe('invalid_metrics_token');
    }
    const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP /m);
  });

  it('leaves /health and /ready open', async () => {
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
    expect((await fetch(`${h.url}/ready`)).status).toBe(200);
  });
});

describe('outside strict mode', () => {
  it('sends no HSTS and answers plain HTTP', async () => {
    const dev = await startHarness();
    try {
      const res = await fetch(`${dev.url}/health`);
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await dev.close();
    }
  });
});
