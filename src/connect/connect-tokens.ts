import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/database.js';

/** A connect token's grant of authority: which Seren user, and which scopes to request. */
export interface ConnectIntent {
  serenUserId: string;
  scopes: string[];
  expiresAt: Date;
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

  async issue(serenUserId: string, scopes: readonly string[]): Promise<{ url: string; expiresInSeconds: number }> {
    const token = PREFIX + randomBytes(32).toString('base64url');
    await this.db.query(
      'INSERT INTO connect_tokens (token_hash, seren_user_id, scopes, expires_at) VALUES ($1, $2, $3, $4)',
      [hashConnectToken(token), serenUserId, [...scopes], new Date(this.clock() + this.ttlSeconds * 1000)],
    );
    return { url: `${this.publicUrl}/auth/google?seren_token=${token}`, expiresInSeconds: this.ttlSeconds };
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
          RETURNING seren_user_id, scopes, expires_at, consumed_at`,
        [hash, now],
      );
      if (won) return intentOf(won);
    }
    const [row] = await q.query<Row>('SELECT seren_user_id, scopes, expires_at, consumed_at FROM connect_tokens WHERE token_hash = $1', [hash]);
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

type Row = { seren_user_id: string; scopes: string[]; expires_at: Date; consumed_at: Date | null };
const intentOf = (row: Row): ConnectIntent => ({ serenUserId: row.seren_user_id, scopes: row.scopes, expiresAt: row.expires_at });
