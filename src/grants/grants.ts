import type { Clock } from '../clock.js';
import type { Keyring, Sealed } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import { refreshTokenFingerprints } from '../risc/token-fingerprint.js';

export type GrantStatus = 'active' | 'reauthorization_required';

/** A row of user_google_tokens as stored: secrets stay sealed until a caller opens them. */
export interface StoredGrant {
  id: string;
  serenUserId: string;
  refreshTokenSealed: Sealed;
  scopes: string[];
  googleSubject: string;
  googleEmail: string | null;
  status: GrantStatus;
  accessTokenSealed: Sealed | null;
  accessTokenExpiresAt: Date | null;
  connectedAt: Date;
  lastRefreshedAt: Date | null;
  updatedAt: Date;
}

/** What a successful callback learned from Google. */
export interface NewConnection {
  serenUserId: string;
  /** Undefined when Google sent none (a reconnect of an account it already granted). */
  refreshToken: string | undefined;
  scopes: string[];
  googleSubject: string;
  googleEmail: string | undefined;
  accessToken: string;
  accessTokenExpiresAt: Date;
}

/** The Google account a connection is bound to. */
export interface LinkedGoogleAccount {
  subject: string;
  email: string | null;
}

/** The user is connected to another Google account: switching is deliberate (disconnect, then connect). */
export class AccountSwitchRefused extends Error {
  readonly linkedEmail: string | null;
  constructor(linked: { googleSubject: string; googleEmail: string | null }) {
    super('this Seren user is connected to another Google account; disconnect it first to switch');
    this.linkedEmail = linked.googleEmail;
  }
}

/** Google sent no refresh token and there is no stored one for this Google account to keep. */
export class MissingRefreshTokenError extends Error {
  constructor() {
    super('Google returned no refresh token for an account that is not yet connected');
  }
}

const COLUMNS = `id, seren_user_id, refresh_token_encrypted, scopes, google_sub, google_email, status,
  access_token_encrypted, access_token_expires_at, connected_at, last_refreshed_at, updated_at`;

type Row = {
  id: string; seren_user_id: string; refresh_token_encrypted: string; scopes: string[]; google_sub: string;
  google_email: string | null; status: GrantStatus; access_token_encrypted: string | null;
  access_token_expires_at: Date | null; connected_at: Date; last_refreshed_at: Date | null; updated_at: Date;
};

export function grantFromRow(r: Row): StoredGrant {
  return {
    id: r.id,
    serenUserId: r.seren_user_id,
    refreshTokenSealed: r.refresh_token_encrypted as Sealed,
    scopes: r.scopes,
    googleSubject: r.google_sub,
    googleEmail: r.google_email,
    status: r.status,
    accessTokenSealed: r.access_token_encrypted as Sealed | null,
    accessTokenExpiresAt: r.access_token_expires_at,
    connectedAt: r.connected_at,
    lastRefreshedAt: r.last_refreshed_at,
    updatedAt: r.updated_at,
  };
}

/** The storage verbs for Google grants, one per Seren user (SPEC §7). */
export class Grants {
  constructor(
    private readonly db: Queryable,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
  ) {}

  static readonly COLUMNS = COLUMNS;

  async find(serenUserId: string, q: Queryable = this.db): Promise<StoredGrant | undefined> {
    const [row] = await q.query<Row>(`SELECT ${COLUMNS} FROM user_google_tokens WHERE seren_user_id = $1`, [serenUserId]);
    return row && grantFromRow(row);
  }

  /** The Google account this Seren user is connected to now (any status), or null. */
  async linkedAccount(serenUserId: string): Promise<LinkedGoogleAccount | null> {
    const [row] = await this.db.query<{ google_sub: string; google_email: string | null }>(
      'SELECT google_sub, google_email FROM user_google_tokens WHERE seren_user_id = $1',
      [serenUserId],
    );
    return row ? { subject: row.google_sub, email: row.google_email } : null;
  }

  /**
   * Stores a (re)connection: the grant and its scopes are replaced by what Google said now;
   * without a new refresh token, the stored one is kept. Only the same Google account may
   * replace a connection (SPEC §4): another one is refused with AccountSwitchRefused, checked
   * again inside the write, so a racing connection cannot slip in between.
   */
  async saveConnection(c: NewConnection): Promise<void> {
    const existing = await this.find(c.serenUserId);
    if (existing && existing.googleSubject !== c.googleSubject) throw new AccountSwitchRefused(existing);
    let refreshSealed: Sealed;
    if (c.refreshToken) refreshSealed = this.keyring.seal(c.refreshToken, c.serenUserId);
    else if (existing) refreshSealed = existing.refreshTokenSealed;
    else throw new MissingRefreshTokenError();
    const now = new Date(this.clock());
    // Found again by a RISC token-revoked event (SPEC §11); a kept refresh token keeps its own.
    const fingerprints = c.refreshToken ? refreshTokenFingerprints(c.refreshToken) : undefined;
    const saved = await this.db.query(
      `INSERT INTO user_google_tokens (seren_user_id, refresh_token_encrypted, scopes, google_sub, google_email, status,
          access_token_encrypted, access_token_expires_at, connected_at, last_refreshed_at, created_at, updated_at,
          refresh_token_sha512x2, refresh_token_prefix_sha256)
        VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, NULL, $8, $8, $9, $10)
        ON CONFLICT (seren_user_id) DO UPDATE SET
          -- The same refresh token kept (no new one from Google) keeps its version, so a refresh in flight can still save what it got.
          refresh_token_version = CASE WHEN user_google_tokens.refresh_token_encrypted = EXCLUDED.refresh_token_encrypted
            THEN user_google_tokens.refresh_token_version ELSE gen_random_uuid() END,
          refresh_token_encrypted = EXCLUDED.refresh_token_encrypted, scopes = EXCLUDED.scopes,
          refresh_token_sha512x2 = COALESCE(EXCLUDED.refresh_token_sha512x2, user_google_tokens.refresh_token_sha512x2),
          refresh_token_prefix_sha256 = COALESCE(EXCLUDED.refresh_token_prefix_sha256, user_google_tokens.refresh_token_prefix_sha256),
          google_email = EXCLUDED.google_email, status = 'active',
          access_token_encrypted = EXCLUDED.access_token_encrypted, access_token_expires_at = EXCLUDED.access_token_expires_at,
          refresh_lease_owner = NULL, refresh_lease_until = NULL,
          connected_at = EXCLUDED.connected_at, updated_at = EXCLUDED.updated_at
        WHERE user_google_tokens.google_sub = EXCLUDED.google_sub
        RETURNING 1`,
      [
        c.serenUserId, refreshSealed, c.scopes, c.googleSubject, c.googleEmail ?? null,
        this.keyring.seal(c.accessToken, c.serenUserId), c.accessTokenExpiresAt, now,
        fingerprints?.sha512x2 ?? null, fingerprints?.prefixSha256 ?? null,
      ],
    );
    if (saved.length === 0) {
      const winner = await this.find(c.serenUserId);
      throw new AccountSwitchRefused(winner ?? { googleSubject: '', googleEmail: null });
    }
  }

  /** A grant becomes unusable only when Google itself says so: invalid_grant, or a verified RISC event. */
  async markReauthorizationRequired(serenUserId: string): Promise<void> {
    await this.db.query(
      `UPDATE user_google_tokens SET status = 'reauthorization_required', access_token_encrypted = NULL,
          access_token_expires_at = NULL, updated_at = $2 WHERE seren_user_id = $1`,
      [serenUserId, new Date(this.clock())],
    );
  }

  /** Removes the grant; returns it (sealed) so the caller can still revoke it at Google. */
  async delete(serenUserId: string, q: Queryable = this.db): Promise<StoredGrant | undefined> {
    const [row] = await q.query<Row>(`DELETE FROM user_google_tokens WHERE seren_user_id = $1 RETURNING ${COLUMNS}`, [serenUserId]);
    return row && grantFromRow(row);
  }

  /** Another Seren user's active connection to the same Google account (revocation must spare it). */
  async activeSharers(googleSubject: string, exceptSerenUserId: string, q: Queryable = this.db): Promise<number> {
    const [row] = await q.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM user_google_tokens WHERE google_sub = $1 AND seren_user_id <> $2 AND status = 'active'`,
      [googleSubject, exceptSerenUserId],
    );
    return row?.n ?? 0;
  }
}
