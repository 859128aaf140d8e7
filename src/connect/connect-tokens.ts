import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Database, Queryable } from '../db/database.js';
import { deleteInBatches } from '../db/delete-in-batches.js';
import type { LinkedGoogleAccount } from '../grants/grants.js';

/** A connect token's grant of authority: which Seren user, and which scopes to request. */
export interface ConnectIntent {
  serenUserId: string;
  scopes: string[];
  expiresAt: Date;
  /** How the confirmation page names the Seren account (from the identity service at issue time). */
  account: SerenAccountLabel;
  /** Set when the link was issued while the user had a connection: only that Google account may complete it. */
  pinned: PinnedGoogleAccount | null;
}

/** A Seren account's display name and email; null when the issuer did not know them. */
export interface SerenAccountLabel {
  name: string | null;
  email: string | null;
}

/** The Google account a reconnect link is bound to (SPEC §4 "a link cannot switch it"). */
export type PinnedGoogleAccount = LinkedGoogleAccount;

export type ConnectTokenProblem = 'malformed' | 'unknown' | 'expired' | 'used';

export interface IssuedLink {
  url: string;
  /** The link's true remaining lifetime (a reused link has less than CONNECT_TOKEN_TTL_SECONDS). */
  expiresInSeconds: number;
  /** For pages that embed the token in a form instead of a link. */
  token: string;
}

const PREFIX = 'sct_';
const FORMAT = /^sct_[A-Za-z0-9_-]{43}$/;

/** The most connect tokens kept per Seren user, whatever their state; issuing more drops the oldest. */
export const MAX_CONNECT_TOKENS_PER_USER = 10;
/** A live link is handed out again while at least this share of its lifetime remains. */
const REUSE_WHILE_REMAINING = 0.5;
/** Expired tokens are kept this long, so an old link says "expired" rather than "unknown". */
export const EXPIRED_CONNECT_TOKEN_GRACE_MS = 86_400_000;

/** The SHA-256 of a connect token: the key it is looked up by. */
export const hashConnectToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * One-time authorization links (SPEC §3, §4): 256 random bits, bound to a Seren user and the
 * scopes to request, valid CONNECT_TOKEN_TTL_SECONDS, consumed once by POST /auth/google.
 * Opening the link (peek) consumes nothing, so link previews cannot burn it.
 *
 * A link issued while the user is connected is pinned to that Google account (SPEC §4): the
 * authorization request names it (`login_hint`), and the callback stores nothing for another.
 *
 * Bounded (SPEC §3): a repeated "not connected" answer hands out the same live link again (the
 * token is kept sealed for that, besides its hash), at most MAX_CONNECT_TOKENS_PER_USER rows
 * are kept per user, and `purgeExpired` (scheduled) deletes tokens a day after they expired.
 */
export class ConnectTokens {
  private readonly issuing = new Map<string, Promise<IssuedLink>>();

  constructor(
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly publicUrl: string,
    /** The Google account the user is connected to now (Grants.linkedAccount). */
    private readonly linkedAccount: (serenUserId: string) => Promise<LinkedGoogleAccount | null>,
  ) {}

  /**
   * A link for this user and these scopes: a live one issued before for the same request, or a
   * new one, pinned to the user's current Google account if any. `account` is what the
   * confirmation page shows (the resolved Seren user's name and email).
   */
  async issue(
    serenUserId: string,
    scopes: readonly string[],
    account?: { name?: string | null; email?: string | null },
  ): Promise<IssuedLink> {
    const label = { name: account?.name || null, email: account?.email || null };
    const pinned = await this.linkedAccount(serenUserId);
    // Concurrent answers for one request share one link: here in this process, and across
    // instances by a lock on the user taken while looking for one to reuse.
    const key = JSON.stringify([serenUserId, [...scopes].sort(), label.name, label.email, pinned]);
    let pending = this.issuing.get(key);
    if (!pending) {
      pending = this.db.transaction((tx) => this.reuseOrInsert(tx, serenUserId, scopes, label, pinned)).finally(() => this.issuing.delete(key));
      this.issuing.set(key, pending);
    }
    return pending;
  }

  private async reuseOrInsert(
    tx: Queryable, serenUserId: string, scopes: readonly string[], label: SerenAccountLabel, pinned: PinnedGoogleAccount | null,
  ): Promise<IssuedLink> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sga.connect_tokens:${serenUserId}`]);
    const now = this.clock();
    const reused = await this.reusable(tx, serenUserId, scopes, label, pinned, now);
    if (reused) return reused;

    const token = PREFIX + randomBytes(32).toString('base64url');
    await tx.query(
      `INSERT INTO connect_tokens (token_hash, token_sealed, seren_user_id, scopes, expires_at, seren_name, seren_email, google_sub, google_email)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        hashConnectToken(token), this.keyring.seal(token, serenUserId), serenUserId, [...scopes], new Date(now + this.ttlSeconds * 1000),
        label.name, label.email, pinned?.subject ?? null, pinned?.email ?? null,
      ],
    );
    await tx.query(
      `DELETE FROM connect_tokens WHERE seren_user_id = $1 AND token_hash NOT IN (
         SELECT token_hash FROM connect_tokens WHERE seren_user_id = $1 ORDER BY expires_at DESC LIMIT ${MAX_CONNECT_TOKENS_PER_USER})`,
      [serenUserId],
    );
    return this.linkOf(token, this.ttlSeconds);
  }

  /** Reads without consuming (GET /auth/google). */
  async peek(token: string): Promise<ConnectIntent | ConnectTokenProblem> {
    return this.check(token, this.db, false);
  }

  /** Consumes the token once (POST /auth/google); pass the transaction that creates the OAuth flow. */
  async consume(token: string, tx: Queryable = this.db): Promise<ConnectIntent | ConnectTokenProblem> {
    return this.check(token, tx, true);
  }

  /** Forgets tokens expired for a day (until then they answer "expired" instead of "unknown"); returns the count. */
  purgeExpired(now = this.clock()): Promise<number> {
    return deleteInBatches(this.db, 'connect_tokens', 'token_hash', 'expires_at < $1', [new Date(now - EXPIRED_CONNECT_TOKEN_GRACE_MS)]);
  }

  /** A live, unused link issued for exactly this request with enough life left, opened again. */
  private async reusable(
    q: Queryable, serenUserId: string, scopes: readonly string[], label: SerenAccountLabel, pinned: PinnedGoogleAccount | null, now: number,
  ): Promise<IssuedLink | undefined> {
    const [row] = await q.query<{ token_sealed: string; expires_at: Date }>(
      `SELECT token_sealed, expires_at FROM connect_tokens
        WHERE seren_user_id = $1 AND consumed_at IS NULL AND expires_at > $2 AND token_sealed IS NOT NULL
          AND scopes @> $3::text[] AND scopes <@ $3::text[]
          AND seren_name IS NOT DISTINCT FROM $4 AND seren_email IS NOT DISTINCT FROM $5
          AND google_sub IS NOT DISTINCT FROM $6 AND google_email IS NOT DISTINCT FROM $7
        ORDER BY expires_at DESC LIMIT 1`,
      [serenUserId, new Date(now + this.ttlSeconds * 1000 * REUSE_WHILE_REMAINING), [...scopes], label.name, label.email, pinned?.subject ?? null, pinned?.email ?? null],
    );
    if (!row) return undefined;
    let token: string;
    try {
      token = this.keyring.open(row.token_sealed, serenUserId);
    } catch {
      return undefined; // sealed under a key no longer configured: issue a new one
    }
    return this.linkOf(token, Math.floor((row.expires_at.getTime() - now) / 1000));
  }

  private linkOf(token: string, expiresInSeconds: number): IssuedLink {
    return { url: `${this.publicUrl}/auth/google?seren_token=${token}`, expiresInSeconds, token };
  }

  private async check(token: string, q: Queryable, consume: boolean): Promise<ConnectIntent | ConnectTokenProblem> {
    if (!FORMAT.test(token)) return 'malformed';
    const hash = hashConnectToken(token);
    const now = new Date(this.clock());
    if (consume) {
      const [won] = await q.query<Row>(
        `UPDATE connect_tokens SET consumed_at = $2
          WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > $2
          RETURNING ${COLUMNS}`,
        [hash, now],
      );
      if (won) return intentOf(won);
    }
    const [row] = await q.query<Row>(`SELECT ${COLUMNS} FROM connect_tokens WHERE token_hash = $1`, [hash]);
    if (!row) return 'unknown';
    if (row.consumed_at) return 'used';
    if (row.expires_at <= now) return 'expired';
    return consume ? 'used' : intentOf(row);
  }
}

const COLUMNS = 'seren_user_id, scopes, expires_at, consumed_at, seren_name, seren_email, google_sub, google_email';
type Row = {
  seren_user_id: string; scopes: string[]; expires_at: Date; consumed_at: Date | null;
  seren_name: string | null; seren_email: string | null; google_sub: string | null; google_email: string | null;
};
const intentOf = (row: Row): ConnectIntent => ({
  serenUserId: row.seren_user_id,
  scopes: row.scopes,
  expiresAt: row.expires_at,
  account: { name: row.seren_name, email: row.seren_email },
  pinned: row.google_sub ? { subject: row.google_sub, email: row.google_email } : null,
});
