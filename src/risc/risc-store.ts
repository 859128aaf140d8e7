import type { Keyring, Sealed } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import type { TokenIdentifier } from './events.js';
import { PREFIX_LENGTH, prefixFingerprint, refreshTokenFingerprints } from './token-fingerprint.js';

/** What marking grants unusable clears with them: the cached access token and any refresh lease. */
const UNUSABLE = `status = 'reauthorization_required', access_token_encrypted = NULL, access_token_expires_at = NULL,
  refresh_lease_owner = NULL, refresh_lease_until = NULL`;

/** How long a received SET's jti is remembered: its iat window (a day) plus a day of margin. */
export const REPLAY_MEMORY_MS = 2 * 24 * 60 * 60 * 1000;

const BACKFILL_BATCH = 500;

/** The storage verbs of Cross-Account Protection (SPEC §11). Times come from the service clock. */
export class RiscStore {
  constructor(
    private readonly db: Queryable,
    private readonly keyring: Keyring,
  ) {}

  /** Records a SET by its issuer and jti; false when it was received before (a replay). */
  async remember(tx: Queryable, set: { issuer: string; jti: string; eventTypes: string[]; verificationState: string | undefined; now: number }): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO risc_received_sets (issuer, jti, event_types, verification_state, received_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (issuer, jti) DO NOTHING RETURNING 1`,
      [set.issuer, set.jti, set.eventTypes, set.verificationState ?? null, new Date(set.now)],
    );
    return rows.length > 0;
  }

  /** Every grant of a Google account becomes unusable; returns the Seren users affected. */
  async markAccount(tx: Queryable, googleSubject: string, now: number): Promise<string[]> {
    const rows = await tx.query<{ seren_user_id: string }>(
      `UPDATE user_google_tokens SET ${UNUSABLE}, updated_at = $2 WHERE google_sub = $1 RETURNING seren_user_id`,
      [googleSubject, new Date(now)],
    );
    return rows.map((r) => r.seren_user_id);
  }

  /** The grant(s) whose refresh token the identifier names become unusable; returns the Seren users affected. */
  async markTokenHolder(tx: Queryable, id: TokenIdentifier, now: number): Promise<string[]> {
    const [column, value] =
      id.alg === 'prefix' ? ['refresh_token_prefix_sha256', prefixFingerprint(id.token.slice(0, PREFIX_LENGTH))] : ['refresh_token_sha512x2', id.token];
    const rows = await tx.query<{ seren_user_id: string }>(
      `UPDATE user_google_tokens SET ${UNUSABLE}, updated_at = $2 WHERE ${column} = $1 RETURNING seren_user_id`,
      [value, new Date(now)],
    );
    return rows.map((r) => r.seren_user_id);
  }

  /**
   * Computes the fingerprints of stored refresh tokens that have none (grants stored before this
   * feature, or whose token was replaced by a writer that did not set them), so a token-revoked event can find them. A value that cannot
   * be decrypted is skipped (it stays unmatchable until its key is restored or the user reconnects).
   */
  async backfillFingerprints(): Promise<number> {
    let filled = 0;
    let after = '';
    for (;;) {
      const rows = await this.db.query<{ seren_user_id: string; refresh_token_encrypted: string; refresh_token_version: string }>(
        `SELECT seren_user_id, refresh_token_encrypted, refresh_token_version FROM user_google_tokens
          WHERE refresh_token_sha512x2 IS NULL AND seren_user_id > $1 ORDER BY seren_user_id LIMIT ${BACKFILL_BATCH}`,
        [after],
      );
      for (const row of rows) {
        let fingerprints;
        try {
          fingerprints = refreshTokenFingerprints(this.keyring.open(row.refresh_token_encrypted as Sealed, row.seren_user_id));
        } catch {
          continue;
        }
        // Guarded by the token version read: a token replaced meanwhile keeps what its writer set.
        const updated = await this.db.query(
          `UPDATE user_google_tokens SET refresh_token_sha512x2 = $3, refresh_token_prefix_sha256 = $4
            WHERE seren_user_id = $1 AND refresh_token_version = $2 AND refresh_token_sha512x2 IS NULL RETURNING 1`,
          [row.seren_user_id, row.refresh_token_version, fingerprints.sha512x2, fingerprints.prefixSha256],
        );
        filled += updated.length;
      }
      if (rows.length < BACKFILL_BATCH) return filled;
      after = rows.at(-1)!.seren_user_id;
    }
  }

  /** When a verification event with this state arrived (what `risc verify` waits for). */
  async verificationReceivedAt(state: string): Promise<Date | undefined> {
    const [row] = await this.db.query<{ received_at: Date }>(
      'SELECT received_at FROM risc_received_sets WHERE verification_state = $1 ORDER BY received_at DESC LIMIT 1',
      [state],
    );
    return row?.received_at;
  }

  /** Forgets jtis older than REPLAY_MEMORY_MS (SETs that old are refused before the replay check). */
  async purgeReceived(now: number): Promise<number> {
    const rows = await this.db.query('DELETE FROM risc_received_sets WHERE received_at < $1 RETURNING 1', [new Date(now - REPLAY_MEMORY_MS)]);
    return rows.length;
  }
}
