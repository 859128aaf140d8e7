/**
 * What the benchmark's processes agree on: the OAuth client, the seeded users' keys, ids and
 * refresh tokens, and the publishers the service is started with.
 */
import { BUILT_IN_CATALOG } from '../src/publishers/catalog.js';

export const BENCH_CLIENT = { clientId: 'bench-client.apps.googleusercontent.com', clientSecret: 'bench-client-secret' };

/** Seren API key of seeded user n: `sk_bench_<n>` (the fake Seren resolves it to userIdOf(n)). */
export const KEY_PREFIX = 'sk_bench_';
export const userIdOf = (n: number) => `bench-user-${n}`;
/** Refresh tokens of seeded users start with this; the fake Google accepts exactly those. */
export const REFRESH_TOKEN_PREFIX = '1//bench-';

/** What every seeded grant holds, and what the fake Google says a refreshed token carries. */
export const BENCH_SCOPES = [
  'openid',
  'https://www.googleapis.com/auth/userinfo.email',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.modify',
];

/** A publisher whose cache TTL no token can satisfy: every exchange for it refreshes at Google (the cold path). */
export const COLD_PUBLISHER = 'bench-cold';

/** The catalog the service runs with: the built-in one plus the cold publisher. */
export const BENCH_CATALOG = {
  ...BUILT_IN_CATALOG,
  [COLD_PUBLISHER]: { name: 'Bench (cold)', scopes: ['https://www.googleapis.com/auth/gmail.readonly'], token_cache_ttl_seconds: 3600 },
};
