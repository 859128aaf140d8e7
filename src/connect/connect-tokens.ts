import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/database.js';

/** A connect token's grant of authority: which Seren user, and which scopes to request. */
export interface ConnectIntent {
  serenUserId: string;
  scopes: string[];
  expiresAt: Date;
  /** How the confirmation page names the Seren account (from the identity service at issue time). */
  account: SerenAccountLabel;
}

/** A Seren account's display name and email; null when the issuer did not know them. */
export interface SerenAccountLabel {
  name: string | null;
  email: string | null;
}

export type ConnectTokenProblem = 'malformed' | 'unknown' | 'expired' | 'used';

const PREFIX = 'sct_';
const FORMAT = /^sct_[A-Za-z0-9_-]{43}$/;

/** Only a SHA-256 of a connect token is stored: a database leak yields no usable link. */
export const hashConnectToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * One-time authorization links (SPEC §3, §4): 256 random bits, bound to a Seren user and the
 * scopes to request, valid CONNECT_TOKEN_TTL_SECONDS, consumed once by POST /auth/google.
 * Opening the link (peek) consumes nothing, so link previews cannot burn it.
 */
export class ConnectTokens {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly publicUrl: string,
  ) {}

  /**
   * `account` is what the confirmation page shows (pass the resolved Seren user's name and email);
   * `token` is returned for pages that embed it in a form instead of a link.
   */
  async issue(
    serenUserId: string,
    scopes: readonly string[],
    account?: { name?: string | null; email?: string | null },
  ): Promise<{ url: string; expiresInSeconds: number; token: string }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    await this.db.query(
      'INSERT INTO connect_tokens (token_hash, seren_user_id, scopes, expires_at, seren_name, seren_email) VALUES ($1, $2, $3, $4, $5, $6)',
      [hashConnectToken(token), serenUserId, [...scopes], new Date(this.clock() + this.ttlSeconds * 1000), account?.name || null, account?.email || null],
    );
    return { url: `${this.publicUrl}/auth/google?seren_token=${token}`, expiresInSeconds: this.ttlSeconds, token };
  }

  /** Reads without consuming (GET /auth/google). */
  async peek(token: string): Promise<ConnectIntent | ConnectTokenProblem> {
    return this.check(token, this.db, false);
  }

  /** Consumes the token once (POST /auth/google); pass the transaction that creates the OAuth flow. */
  async consume(token: string, tx: Queryable = this.db): Promise<ConnectIntent | ConnectTokenProblem> {
    return this.check(token, tx, true);
  }

  private async check(token: string, q: Queryable, consume: boolean): Promise<ConnectIntent | ConnectTokenProblem> {
    if (!FORMAT.test(token)) return 'malformed';
    const hash = hashConnectToken(token);
    const now = new Date(this.clock());
    if (consume) {
      const [won] = await q.query<Row>(
        `UPDATE connect_tokens SET consumed_at = $2
          WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > $2
          RETURNING seren_user_id, scopes, expires_at, consumed_at, seren_name, seren_email`,
        [hash, now],
      );
      if (won) return intentOf(won);
    }
    const [row] = await q.query<Row>('SELECT seren_user_id, scopes, expires_at, consumed_at, seren_name, seren_email FROM connect_tokens WHERE token_hash = $1', [hash]);
    if (!row) return 'unknown';
    if (row.consumed_at) return 'used';
    if (row.expires_at <= now) return 'expired';
    return consume ? 'used' : intentOf(row);
  }

  /** Forgets tokens expired for a day (they would only say "expired" instead of "unknown"). */
  async purgeExpired(): Promise<void> {
    await this.db.query('DELETE FROM connect_tokens WHERE expires_at < $1', [new Date(this.clock() - 86_400_000)]);
  }
}

type Row = {
  seren_user_id: string; scopes: string[]; expires_at: Date; consumed_at: Date | null;
  seren_name: string | null; seren_email: string | null;
};
const intentOf = (row: Row): ConnectIntent => ({
  serenUserId: row.seren_user_id,
  scopes: row.scopes,
  expiresAt: row.expires_at,
  account: { name: row.seren_name, email: row.seren_email },
});
