import type { Catalog, Publisher } from '../publishers/catalog.js';

/** `expires_in` is the token's true remaining life minus this margin (SPEC §3). */
export const SAFETY_MARGIN_SECONDS = 60;

/** What Google documents for an access token; only used to warn at start about unreachable rules. */
export const GOOGLE_ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * A token is never handed over the instant Google mints it (network, TLS, our own work): a rule
 * needing more than Google's lifetime minus this can never be met by a token we hold.
 */
export const MINT_LATENCY_ALLOWANCE_SECONDS = 10;

/** Never return a token whose `expires_in` would be below this, whatever MIN_TOKEN_LIFETIME_SECONDS says. */
const LEAST_EXPIRES_IN_SECONDS = 1;

/** An access token as the exchange holds it: absolute times on the service clock (ms since the epoch). */
export interface AccessToken {
  readonly value: string;
  readonly expiresAt: number;
  /** When we obtained it; "freshly minted" means obtained after the request began. */
  readonly obtainedAt: number;
}

/** What one exchange needs of a token (SPEC §3, gateway-safety rule). */
export interface LifetimeNeed {
  /** Least remaining life, ms. */
  readonly minRemainingMs: number;
  /** A token obtained at or after this instant is acceptable even when it cannot meet minRemainingMs. */
  readonly freshSince: number;
}

/** Remaining life a returned token must have: the publisher's cache TTL + the margin, or MIN_TOKEN_LIFETIME_SECONDS. */
export function requiredLifetimeSeconds(publisher: Publisher | undefined, minTokenLifetimeSeconds: number): number {
  const rule = publisher ? publisher.token_cache_ttl_seconds + SAFETY_MARGIN_SECONDS : minTokenLifetimeSeconds;
  return Math.max(rule, SAFETY_MARGIN_SECONDS + LEAST_EXPIRES_IN_SECONDS);
}

export const remainingMs = (token: AccessToken, now: number) => token.expiresAt - now;

/** Remaining life meets the need: a cached token may be served. */
export const longEnough = (token: AccessToken, need: LifetimeNeed, now: number) => remainingMs(token, now) >= need.minRemainingMs;

/**
 * After a refresh: the rule holds, or the token was obtained after the request began (where no
 * token can meet the rule, a freshly minted one is the answer, never an older one).
 */
export const satisfies = (token: AccessToken, need: LifetimeNeed, now: number) =>
  longEnough(token, need, now) || token.obtainedAt > need.freshSince;

/**
 * SPEC §3 "While Google is unavailable": the least remaining life of a stored token returned in
 * place of a 503: the publisher's cache TTL (the gateway holds the token that long), without a
 * publisher 60 s; and never so little that `expires_in` would be below 1.
 */
export function degradedLifetimeSeconds(publisher: Publisher | undefined): number {
  return Math.max(publisher ? publisher.token_cache_ttl_seconds : SAFETY_MARGIN_SECONDS, SAFETY_MARGIN_SECONDS + LEAST_EXPIRES_IN_SECONDS);
}

/** A stored token may stand in for a fresh one while Google is unavailable (degradedLifetimeSeconds). */
export const usableWhileGoogleIsDown = (token: AccessToken, publisher: Publisher | undefined, now: number) =>
  remainingMs(token, now) >= degradedLifetimeSeconds(publisher) * 1000;

/** SPEC §3: the true remaining lifetime minus the 60 s safety margin, in whole seconds. */
export const expiresInSeconds = (token: AccessToken, now: number) =>
  Math.floor(remainingMs(token, now) / 1000) - SAFETY_MARGIN_SECONDS;

/** Publishers whose rule no token can meet: their exchanges always mint a new token (warned about at start). */
export function unreachablePublishers(catalog: Catalog): Publisher[] {
  const reachable = GOOGLE_ACCESS_TOKEN_LIFETIME_SECONDS - MINT_LATENCY_ALLOWANCE_SECONDS;
  return [...catalog.values()].filter((p) => requiredLifetimeSeconds(p, 0) > reachable);
}
