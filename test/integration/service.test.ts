import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

describe('a running service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('answers /health', async () => {
    const res = await fetch(`${h.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', service: 'google-auth' });
  });

  it('is ready once the database is migrated and discovery has loaded', async () => {
    const res = await fetch(`${h.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: true, migrations: true, google_discovery: true } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends security headers on every response', async () => {
    const res = await fetch(`${h.url}/health`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers unknown routes with a JSON not_found error', async () => {
    const res = await fetch(`${h.url}/nope?secret=abc`);
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body.error).toBe('not_found');
    expect(body.message).not.toContain('secret=abc');
  });

  it('does not serve the emulated Google outside dev mode', async () => {
    expect((await fetch(`${h.url}/_google/.well-known/openid-configuration`)).status).toBe(404);
  });
});
