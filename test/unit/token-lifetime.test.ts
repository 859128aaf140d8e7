import { describe, expect, it } from 'vitest';
import { BUILT_IN_CATALOG, parseCatalog } from '../../src/publishers/catalog.js';
import {
  type AccessToken,
  expiresInSeconds,
  longEnough,
  requiredLifetimeSeconds,
  satisfies,
  stillValid,
  unreachablePublishers,
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

  it('a token is still valid as a fallback while expires_in would be at least 1', () => {
    expect(stillValid(token(61), T0)).toBe(true);
    expect(stillValid(token(60), T0)).toBe(false);
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
