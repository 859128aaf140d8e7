import type { Account } from './accounts.js';
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
    this.#tokens.set(key(token), { kind, grant, scopes: [...scopes], expiresAt, revoked: false });
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

  /** Revokes every live grant of the account, for every client; returns how many. */
  revokeAccount(email: string): number {
    const live = this.#grants.filter((g) => !g.revoked && g.account.email === email.toLowerCase());
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
