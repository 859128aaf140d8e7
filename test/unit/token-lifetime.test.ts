import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOG, parseCatalog } from '../../src/publishers/catalog.js';
import {
  type AccessToken,
  expiresInSeconds,
  longEnough,
  requiredLifetimeSeconds,
  satisfies,
  unreachablePublishers,
  usableWhileGoogleIsDown,
} from '../../src/tokens/lifetime.js';

const gmail = parseCatalog(BUILT_IN_CATALOG).get('gmail')!;
const T0 = 1_700_000_000_000;
const token = (expiresInS: number, obtainedAt = T0): AccessToken => ({ value: 'ya29.x', expiresAt: T0 + expiresInS * 1000, obtainedAt });

describe('lifetime rules (SPEC §3)', () => {
  it('needs the publisher cache TTL + 60 s, or MIN_TOKEN_LIFETIME_SECONDS without a publisher', () => {
    expect(requiredLifetimeSeconds(gmail, 300)).toBe(3560);
    expect(requiredLifetimeSeconds(undefined, 300)).toBe(300);
    // Never a token that would be answered with expires_in < 1.
    expect(requiredLifetimeSeconds(undefined, 0)).toBe(61);
    expect(requiredLifetimeSeconds({ ...gmail, token_cache_ttl_seconds: 0 }, 300)).toBe(61);
  });

  it('expires_in is the true remaining life minus 60 s', () => {
    expect(expiresInSeconds(token(3600), T0)).toBe(3540);
    expect(expiresInSeconds(token(3600), T0 + 500)).toBe(3539);
  });

  it('a cached token serves only when long enough; after a refresh a token minted for the request also does', () => {
    const need = { minRemainingMs: 3560_000, freshSince: T0 };
    expect(longEnough(token(3560), need, T0)).toBe(true);
    expect(longEnough(token(3559), need, T0)).toBe(false);
    expect(satisfies(token(3550, T0 + 1), { ...need, minRemainingMs: 3650_000 }, T0 + 1)).toBe(true);
    expect(satisfies(token(3550, T0), { ...need, minRemainingMs: 3650_000 }, T0)).toBe(false);
  });

  it('while Google is down, a stored token stands in only with the publisher cache TTL left (60 s without one), expires_in ≥ 1', () => {
    expect(usableWhileGoogleIsDown(token(3500), gmail, T0)).toBe(true);
    expect(usableWhileGoogleIsDown(token(3499), gmail, T0)).toBe(false);
    expect(usableWhileGoogleIsDown(token(237), gmail, T0)).toBe(false); // the gateway would hold it 3,500 s
    expect(usableWhileGoogleIsDown(token(61), undefined, T0)).toBe(true);
    expect(usableWhileGoogleIsDown(token(60), undefined, T0)).toBe(false);
    expect(usableWhileGoogleIsDown(token(61), { ...gmail, token_cache_ttl_seconds: 10 }, T0)).toBe(true);
    expect(usableWhileGoogleIsDown(token(60), { ...gmail, token_cache_ttl_seconds: 10 }, T0)).toBe(false);
  });

  it('flags publishers whose TTL no Google token can satisfy', () => {
    const catalog = parseCatalog({
      ...BUILT_IN_CATALOG,
      edge: { name: 'Edge', scopes: ['openid'], token_cache_ttl_seconds: 3530 },
      over: { name: 'Over', scopes: ['openid'], token_cache_ttl_seconds: 3531 },
    });
    expect(unreachablePublishers(catalog).map((p) => p.slug)).toEqual(['over']);
  });
});
