import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allScopes, loadCatalog, parseCatalog } from '../../src/publishers/catalog.js';
import { missingScopes, scopesToRequest } from '../../src/publishers/scopes.js';

const file = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sga-cat-')), 'publishers.json');
  writeFileSync(path, content);
  return path;
};

describe('publisher catalog', () => {
  it('is built in, with the SPEC §6 publishers', () => {
    const catalog = loadCatalog();
    expect(catalog.get('gmail')).toMatchObject({ slug: 'gmail', name: 'Gmail', token_cache_ttl_seconds: 3500 });
    expect(allScopes(catalog)).toHaveLength(5);
  });

  it('is replaced by PUBLISHERS_FILE', () => {
    const catalog = loadCatalog(file(JSON.stringify({ drive: { name: 'Drive', scopes: ['https://www.googleapis.com/auth/drive.readonly'], token_cache_ttl_seconds: 600 } })));
    expect([...catalog.keys()]).toEqual(['drive']);
  });

  it('lists every problem of a bad file, with its path', () => {
    const bad = file(JSON.stringify({ Gmail: { name: '', scopes: ['read-mail'], token_cache_ttl_seconds: -1, extra: 1 } }));
    const message = (() => {
      try {
        loadCatalog(bad);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain(bad);
    expect(message).toMatch(/Gmail: publisher slugs are lowercase/);
    expect(message).toMatch(/Gmail\.scopes\.0: must be a Google OAuth scope URL/);
    expect(message).toMatch(/Gmail\.token_cache_ttl_seconds/);
    expect(message).toMatch(/Gmail: Unrecognized key/i);
    expect(() => loadCatalog(file('{not json'))).toThrow(/could not be read as JSON/);
    expect(() => parseCatalog({})).toThrow(/lists no publishers/);
  });

  it('asks a first connection for exactly the publisher scopes, and a reconnection for granted + missing', () => {
    const catalog = loadCatalog();
    const gmail = catalog.get('gmail')!;
    expect(scopesToRequest(catalog, gmail)).toEqual(gmail.scopes);
    const calendar = catalog.get('google-calendar')!;
    const granted = ['openid', 'https://www.googleapis.com/auth/userinfo.email', ...gmail.scopes];
    expect(scopesToRequest(catalog, calendar, granted)).toEqual([...gmail.scopes, ...calendar.scopes]);
    expect(missingScopes(granted, calendar.scopes)).toEqual(calendar.scopes);
    expect(scopesToRequest(catalog, undefined)).toEqual(allScopes(catalog));
  });
});
