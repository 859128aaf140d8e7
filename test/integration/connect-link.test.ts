import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';

describe('POST /token/connect-link', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness();
    key = h.seren.addUser('sk_live_connect_link_user');
  });
  afterAll(() => h?.close());

  const post = (path: string, apiKey?: string) =>
    fetch(`${h.url}${path}`, { method: 'POST', headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });

  it('returns a one-time link that never contains the API key', async () => {
    const res = await post('/token/connect-link?publisher=gmail', key);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body.expires_in).toBe(900);
    expect(body.authorization_url).toMatch(new RegExp(`^${h.url}/auth/google\\?seren_token=sct_[A-Za-z0-9_-]{43}$`));
    expect(body.authorization_url).not.toContain(key);
  });

  it('stores only a hash of the connect token, with the publisher scopes', async () => {
    const { authorization_url } = await (await post('/token/connect-link?publisher=google-calendar', key)).json();
    const token = new URL(authorization_url).searchParams.get('seren_token')!;
    const db = h.service.db;
    const rows = await db.query<{ token_hash: string; scopes: string[] }>('SELECT token_hash, scopes FROM connect_tokens');
    expect(rows.some((r) => r.token_hash.includes(token))).toBe(false);
    expect(rows.map((r) => r.scopes)).toContainEqual(h.config.catalog.get('google-calendar')!.scopes);
  });

  it('rejects an unknown publisher with the known slugs', async () => {
    const res = await post('/token/connect-link?publisher=dropbox', key);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unknown_publisher', publishers: ['gmail', 'google-calendar'] });
  });

  it('rejects a missing or unknown key with WWW-Authenticate', async () => {
    for (const apiKey of [undefined, 'sk_unknown']) {
      const res = await post('/token/connect-link', apiKey);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await res.json()).error).toBe('invalid_seren_credentials');
    }
  });
});
