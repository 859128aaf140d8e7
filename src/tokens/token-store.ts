import type { Keyring, Sealed } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import type { GrantStatus } from '../grants/grants.js';
import type { AccessToken } from './lifetime.js';

/** What the exchange knows about a user's grant: never the refresh token, the access token opened. */
export interface GrantView {
  readonly serenUserId: string;
  readonly status: GrantStatus;
  readonly scopes: readonly string[];
  readonly googleSubject: string;
  readonly token: AccessToken | undefined;
}

/** A grant row as the refresher sees it: the sealed refresh token and the lease. */
export interface GrantRow extends GrantView {
  readonly refreshTokenSealed: Sealed;
  /** Which refresh token the row holds (changes with the token, not with its sealing). */
  readonly refreshTokenVersion: string;
}

/** The row under a lease just taken. */
export interface LeasedRow extends GrantRow {
  /** The instance whose lease expired without being released (it died, or lost the database), if any. */
  readonly takenOverFrom: string | null;
  /** End of the Google back-off window recorded by any instance (service clock, ms). */
  readonly googleBackoffUntil: number | null;
}

/** What one refresh at Google produced, ready to store. */
export interface Refreshed {
  readonly token: AccessToken;
  /** Set when Google rotated the refresh token. */
  readonly rotatedRefreshToken: string | undefined;
  /** Set when Google said which scopes the token carries. */
  readonly scopes: readonly string[] | undefined;
}

/** What a read on a memory miss found: the row, and its refresh lease when the caller is sure to refresh. */
export interface ReadOrLeased {
  readonly row: GrantRow;
  readonly lease: LeasedRow | undefined;
}

/** The token a read on a memory miss must find to skip the refresh: its expiry and the scopes. */
export interface TokenWanted {
  readonly expiresAtLeast: number;
  readonly scopes: readonly string[];
}

type Row = {
  seren_user_id: string; status: GrantStatus; scopes: string[]; google_sub: string;
  refresh_token_encrypted: string; refresh_token_version: string; access_token_encrypted: string | null; access_token_expires_at: Date | null;
  obtained_at: Date;
};
type LeaseRow = Row & { previous_owner: string | null; google_backoff_until: Date | null };
/** A row without its access token (the save returns no token: the caller holds it in clear). */
type TokenlessRow = Omit<Row, 'access_token_encrypted' | 'access_token_expires_at' | 'obtained_at'>;

const COLUMNS = `seren_user_id, status, scopes, google_sub, refresh_token_encrypted, refresh_token_version, access_token_encrypted,
  access_token_expires_at, GREATEST(connected_at, last_refreshed_at) AS obtained_at`;
/** The lease is free or expired (at $4). */
const LEASE_IS_FREE = '(refresh_lease_until IS NULL OR refresh_lease_until <= $4)';
const BACKOFF_UNTIL = `(SELECT until FROM google_backoff WHERE endpoint = 'token') AS google_backoff_until`;

/**
 * The exchange's storage verbs on user_google_tokens: the shared (sealed) access-token cache and
 * the refresh lease that makes refreshes single-flight across instances sharing the database.
 * Times are the service clock's, passed in, so every instance and every test agrees on "now".
 */
export class TokenStore {
  constructor(
    private readonly db: Queryable,
    private readonly keyring: Keyring,
  ) {}

  async read(serenUserId: string): Promise<GrantRow | undefined> {
    const [row] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM user_google_tokens WHERE seren_user_id = $1`, [serenUserId], 'grant_read');
    return row && this.open(row);
  }

  /**
   * Takes the refresh lease when it is free, expired or already ours; returns the row as it is
   * now (the caller re-checks freshness: someone may have refreshed while it waited), who held
   * the lease before (a holder that stopped renewing without releasing it, when not us), and
   * the Google back-off window any instance recorded.
   */
  async tryLease(serenUserId: string, owner: string, now: number, leaseMs: number): Promise<LeasedRow | undefined> {
    const [row] = await this.db.query<LeaseRow>(
      `WITH before AS (SELECT refresh_lease_owner AS previous_owner FROM user_google_tokens WHERE seren_user_id = $1 FOR UPDATE)
       UPDATE user_google_tokens SET refresh_lease_owner = $2, refresh_lease_until = $3 FROM before
        WHERE seren_user_id = $1 AND status = 'active' AND (${LEASE_IS_FREE} OR refresh_lease_owner = $2)
        RETURNING ${COLUMNS}, before.previous_owner, ${BACKOFF_UNTIL}`,
      [serenUserId, owner, new Date(now + leaseMs), new Date(now)],
      'grant_try_lease',
    );
    return row && this.leased(this.open(row), row, owner);
  }

  /**
   * A memory miss's read, in one round trip with the lease it will need: the row as it is now,
   * and the refresh lease when `wanted` is given and a refresh is sure to follow (the grant is
   * active, has the scopes wanted, holds no token living long enough) and nobody holds the
   * lease. Only a row being leased is locked: the common read (a stored token still good) stays
   * a plain read, with no lock, no transaction id and no WAL record.
   */
  async readOrLease(serenUserId: string, owner: string, now: number, leaseMs: number, wanted: TokenWanted | undefined): Promise<ReadOrLeased | undefined> {
    if (!wanted) {
      const row = await this.read(serenUserId);
      return row && { row, lease: undefined };
    }
    const [row] = await this.db.query<LeaseRow & { leased: boolean }>(
      `WITH taken AS (
         UPDATE user_google_tokens SET refresh_lease_owner = $2, refresh_lease_until = $3
           FROM (SELECT seren_user_id AS leased_id, refresh_lease_owner AS previous_owner FROM user_google_tokens
                  WHERE seren_user_id = $1 AND status = 'active' AND ${LEASE_IS_FREE}
                    AND (access_token_expires_at IS NULL OR access_token_expires_at < $5) AND scopes @> $6::text[]
                  FOR UPDATE) AS before
          WHERE seren_user_id = before.leased_id
          RETURNING ${COLUMNS}, before.previous_owner)
       SELECT found.*, ${BACKOFF_UNTIL} FROM (
         SELECT taken.*, true AS leased FROM taken
         UNION ALL
         SELECT ${COLUMNS}, NULL::text, false FROM user_google_tokens WHERE seren_user_id = $1 AND NOT EXISTS (SELECT 1 FROM taken)
       ) AS found`,
      [serenUserId, owner, new Date(now + leaseMs), new Date(now), new Date(wanted.expiresAtLeast), [...wanted.scopes]],
      'grant_read_or_lease',
    );
    if (!row) return undefined;
    const opened = this.open(row);
    return { row: opened, lease: row.leased ? this.leased(opened, row, owner) : undefined };
  }

  async readGoogleBackoff(): Promise<number | null> {
    const [row] = await this.db.query<{ until: Date }>(`SELECT until FROM google_backoff WHERE endpoint = 'token'`);
    return row?.until.getTime() ?? null;
  }

  /** SPEC §3: Google asked us to back off until then; every instance reads it with its next lease. */
  async recordGoogleBackoff(until: number): Promise<void> {
    await this.db.query(
      `INSERT INTO google_backoff (endpoint, until) VALUES ('token', $1)
        ON CONFLICT (endpoint) DO UPDATE SET until = GREATEST(google_backoff.until, EXCLUDED.until)`,
      [new Date(until)],
    );
  }

  async renewLease(serenUserId: string, owner: string, until: number): Promise<void> {
    await this.db.query(
      'UPDATE user_google_tokens SET refresh_lease_until = $3 WHERE seren_user_id = $1 AND refresh_lease_owner = $2',
      [serenUserId, owner, new Date(until)],
      'grant_renew_lease',
    );
  }

  async releaseLease(serenUserId: string, owner: string): Promise<void> {
    await this.db.query(
      'UPDATE user_google_tokens SET refresh_lease_owner = NULL, refresh_lease_until = NULL WHERE seren_user_id = $1 AND refresh_lease_owner = $2',
      [serenUserId, owner],
      'grant_release_lease',
    );
  }

  /**
   * Stores a refresh's result and frees our lease, provided the row still holds the refresh token
   * used (its version: a `keys rotate` that re-sealed it meanwhile changes nothing), so a grant
   * deleted or replaced meanwhile is not overwritten. A rotated refresh token gets a new version.
   */
  async saveRefreshed(serenUserId: string, owner: string, usedVersion: string, r: Refreshed): Promise<GrantRow | undefined> {
    const [row] = await this.db.query<TokenlessRow>(
      `UPDATE user_google_tokens SET
          access_token_encrypted = $4, access_token_expires_at = $5, last_refreshed_at = $6, updated_at = $6,
          refresh_token_encrypted = COALESCE($7, refresh_token_encrypted), scopes = COALESCE($8, scopes),
          refresh_token_version = CASE WHEN $7::text IS NULL THEN refresh_token_version ELSE gen_random_uuid() END,
          refresh_lease_owner = CASE WHEN refresh_lease_owner = $2 THEN NULL ELSE refresh_lease_owner END,
          refresh_lease_until = CASE WHEN refresh_lease_owner = $2 THEN NULL ELSE refresh_lease_until END
        WHERE seren_user_id = $1 AND refresh_token_version = $3 AND status = 'active'
        RETURNING seren_user_id, status, scopes, google_sub, refresh_token_encrypted, refresh_token_version`,
      [
        serenUserId, owner, usedVersion,
        this.keyring.seal(r.token.value, serenUserId), new Date(r.token.expiresAt), new Date(r.token.obtainedAt),
        r.rotatedRefreshToken === undefined ? null : this.keyring.seal(r.rotatedRefreshToken, serenUserId),
        r.scopes === undefined ? null : [...r.scopes],
      ],
      'grant_save_refreshed',
    );
    // The token just sealed is the one in hand: no need to open it again.
    return row && { ...this.grantOf(row), token: r.token };
  }

  /**
   * Google answered invalid_grant for this refresh token: the grant is unusable until the user
   * reconnects. Guarded by the refresh token used (its version), so a reconnect that raced the
   * refresh is spared.
   */
  async markReauthorizationRequired(serenUserId: string, usedVersion: string, now: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE user_google_tokens SET status = 'reauthorization_required', access_token_encrypted = NULL,
          access_token_expires_at = NULL, refresh_lease_owner = NULL, refresh_lease_until = NULL, updated_at = $3
        WHERE seren_user_id = $1 AND refresh_token_version = $2 RETURNING 1`,
      [serenUserId, usedVersion, new Date(now)],
    );
    return rows.length > 0;
  }

  openRefreshToken(row: GrantRow): string {
    return this.keyring.open(row.refreshTokenSealed, row.serenUserId);
  }

  /** A cached access token that cannot be opened (its key was removed) is no cache: the next exchange refreshes. */
  private openAccessToken(r: Row): AccessToken | undefined {
    if (!r.access_token_encrypted || !r.access_token_expires_at) return undefined;
    try {
      const value = this.keyring.open(r.access_token_encrypted, r.seren_user_id);
      return { value, expiresAt: r.access_token_expires_at.getTime(), obtainedAt: r.obtained_at.getTime() };
    } catch {
      return undefined;
    }
  }

  private open(r: Row): GrantRow {
    return { ...this.grantOf(r), token: this.openAccessToken(r) };
  }

  private grantOf(r: TokenlessRow): Omit<GrantRow, 'token'> {
    return {
      serenUserId: r.seren_user_id,
      status: r.status,
      scopes: r.scopes,
      googleSubject: r.google_sub,
      refreshTokenSealed: r.refresh_token_encrypted as Sealed,
      refreshTokenVersion: r.refresh_token_version,
    };
  }

  private leased(opened: GrantRow, row: LeaseRow, owner: string): LeasedRow {
    return {
      ...opened,
      takenOverFrom: row.previous_owner !== null && row.previous_owner !== owner ? row.previous_owner : null,
      googleBackoffUntil: row.google_backoff_until?.getTime() ?? null,
    };
  }
}
