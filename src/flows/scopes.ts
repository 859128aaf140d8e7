import { type Catalog, type Publisher, allScopes } from '../publishers/catalog.js';

/** Always requested on top of the publishers' scopes: who signed in, and their email (SPEC §4). */
export const SIGN_IN_SCOPES = ['openid', 'email'] as const;

/** Google answers the short sign-in aliases under their long names in a token response's `scope`. */
const LONG_NAMES: Readonly<Record<string, string>> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};

export const canonicalScope = (scope: string): string => LONG_NAMES[scope] ?? scope;

/** True when `granted` (as Google wrote it) includes `scope` (as the catalog writes it). */
export function grantedIncludes(granted: readonly string[], scope: string): boolean {
  const wanted = canonicalScope(scope);
  return granted.some((g) => canonicalScope(g) === wanted);
}

export interface PublisherGrant {
  publisher: Publisher;
  granted: string[];
  missing: string[];
}

/** What a callback's granted scopes mean against what the flow asked for. */
export interface GrantOutcome {
  /** Every requested scope was granted. */
  complete: boolean;
  /** Requested scopes Google did not grant. */
  missing: string[];
  /** Publishers the request touched, each with what it got and still lacks. */
  requested: PublisherGrant[];
  /** Every publisher (requested or not) whose scopes are now all granted. */
  ready: Publisher[];
}

export function grantOutcome(catalog: Catalog, requested: readonly string[], granted: readonly string[]): GrantOutcome {
  const has = (s: string) => grantedIncludes(granted, s);
  const asked = (s: string) => requested.some((r) => canonicalScope(r) === canonicalScope(s));
  const publishers = [...catalog.values()];
  const missing = requested.filter((s) => !has(s));
  return {
    complete: missing.length === 0,
    missing,
    requested: publishers
      .filter((p) => p.scopes.some(asked))
      .map((publisher) => ({ publisher, granted: publisher.scopes.filter(has), missing: publisher.scopes.filter((s) => !has(s)) })),
    ready: publishers.filter((p) => p.scopes.every(has)),
  };
}

/**
 * What a follow-up asks for: the catalog scopes already granted plus everything this flow asked
 * for, so a provider that ignores include_granted_scopes still answers with a complete grant.
 */
export function followUpScopes(catalog: Catalog, requested: readonly string[], granted: readonly string[]): string[] {
  return [...new Set([...allScopes(catalog).filter((s) => grantedIncludes(granted, s)), ...requested])];
}
