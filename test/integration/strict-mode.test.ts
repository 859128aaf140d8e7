import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * Strict mode behind a TLS-terminating proxy (SPEC §9). parseConfig refuses strict mode with the
 * http:// emulator, so the parsed config is switched to strict here; the app's behaviour is real.
 */
describe('production (strict) mode behind a proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { TRUST_PROXY: 'true' }, configure: (c) => ({ ...c, strict: true }) });
  });
  afterAll(() => h?.close());

  const viaProxy = (path: string, proto: string) => fetch(`${h.url}${path}`, { headers: { 'x-forwarded-proto': proto } });

  it('answers requests that arrived over HTTPS, with HSTS', async () => {
    const res = await viaProxy('/health', 'https');
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
  });

  it('refuses requests that did not arrive over HTTPS', async () => {
    for (const res of [await viaProxy('/health', 'http'), await fetch(`${h.url}/token/status`, { headers: { authorization: 'Bearer sk_x' } })]) {
      expect(res.status).toBe(403);
      expect((await res.json()).message).toBe('This service only answers over HTTPS.');
    }
  });

  it('does not send HSTS outside strict mode', async () => {
    const dev = await startHarness();
    try {
      expect((await fetch(`${dev.url}/health`)).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await dev.close();
    }
  });
});
