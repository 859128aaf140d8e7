import type { Account } from './accounts.js';
import { createHash } from 'node:crypto';
import { randomToken, sha256 } from './random.js';

/** What one account has granted one client: the union of every scope consented so far. */
export interface Grant {
  readonly id: number;
  readonly clientId: string;
  readonly account: Account;
  readonly scopes: Set<string>;
  revoked: boolean;
}

export interface IssuedToken {
  readonly kind: 'access' | 'refresh';
  readonly grant: Grant;
  readonly scopes: readonly string[];
  /** Absolute expiry in ms; refresh tokens have none. */
  readonly expiresAt: number | undefined;
  revoked: boolean;
  /** Refresh tokens only: how a RISC `token-revoked` event names it (Google's two `token_identifier_alg`s). */
  readonly identifiers: TokenIdentifiers | undefined;
}

/** `prefix`: the first 16 characters; `hash_base64_sha512_sha512`: base64(SHA-512(SHA-512(token))). */
export interface TokenIdentifiers {
  readonly prefix: string;
  readonly hash_base64_sha512_sha512: string;
}

export function tokenIdentifiers(token: string): TokenIdentifiers {
  const inner = createHash('sha512').update(token, 'utf8').digest();
  return { prefix: token.slice(0, 16), hash_base64_sha512_sha512: createHash('sha512').update(inner).digest('base64') };
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** Grants and the opaque tokens issued under them. Tokens are kept by their SHA-256 only. */
export class GrantStore {
  readonly #grants: Grant[] = [];
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  activeGrant(clientId: string, account: Account): Grant | undefined {
    return this.#grants.find((g) => !g.revoked && g.clientId === clientId && g.account.sub === account.sub);
  }

  /** Adds consented scopes to the account's live grant for this client, or opens a new one. */
  recordConsent(clientId: string, account: Account, scopes: readonly string[]): Grant {
    const grant = this.activeGrant(clientId, account) ?? this.#open(clientId, account);
    for (const s of scopes) grant.scopes.add(s);
    return grant;
  }

  issue(kind: IssuedToken['kind'], grant: Grant, scopes: readonly string[], ttlSeconds?: number): string {
    const token = kind === 'access' ? `ya29.emu_${randomToken()}` : `1//emu_${randomToken()}`;
    const expiresAt = ttlSeconds === undefined ? undefined : this.#now() + ttlSeconds * 1000;
    const identifiers = kind === 'refresh' ? tokenIdentifiers(token) : undefined;
    this.#tokens.set(key(token), { kind, grant, scopes: [...scopes], expiresAt, revoked: false, identifiers });
    return token;
  }

  find(token: string): IssuedToken | undefined {
    return this.#tokens.get(key(token));
  }

  stateOf(record: IssuedToken): TokenState {
    if (record.revoked || record.grant.revoked) return 'revoked';
    if (record.expiresAt !== undefined && this.#now() >= record.expiresAt) return 'expired';
    return 'active';
  }

  revokeToken(token: string): void {
    const record = this.find(token);
    if (record) record.revoked = true;
  }

  /** Ends the grant: every token issued under it stops working, and the next consent starts afresh. */
  revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  /** Revokes every live grant of the account, for one client or every client; returns how many. */
  revokeAccount(email: string, clientId?: string): number {
    const live = this.liveGrants(email, clientId);
    for (const g of live) this.revokeGrant(g);
    return live.length;
  }

  /** The account's most recent grant, for one client or any. */
  latestGrant(email: string, clientId?: string): Grant | undefined {
    const wanted = email.toLowerCase();
    for (let i = this.#grants.length - 1; i >= 0; i--) {
      const g = this.#grants[i];
      if (g && g.account.email === wanted && (clientId === undefined || g.clientId === clientId)) return g;
    }
    return undefined;
  }

  /** The most recently issued live refresh token of a grant. */
  latestRefreshToken(grant: Grant): IssuedToken | undefined {
    let latest: IssuedToken | undefined;
    for (const t of this.#tokens.values()) if (t.grant === grant && t.kind === 'refresh' && this.stateOf(t) === 'active') latest = t;
    return latest;
  }

  /** Live grants of an account, for one client or every client. */
  liveGrants(email: string, clientId?: string): Grant[] {
    const wanted = email.toLowerCase();
    return this.#grants.filter((g) => !g.revoked && g.account.email === wanted && (clientId === undefined || g.clientId === clientId));
  }

  countLive(grant: Grant, kind: IssuedToken['kind']): number {
    let n = 0;
    for (const t of this.#tokens.values()) if (t.grant === grant && t.kind === kind && this.stateOf(t) === 'active') n++;
    return n;
  }

  #open(clientId: string, account: Account): Grant {
    const grant: Grant = { id: this.#grants.length + 1, clientId, account, scopes: new Set(), revoked: false };
    this.#grants.push(grant);
    return grant;
  }
}

function key(token: string): string {
  return sha256(token).toString('hex');
}
