import type { Sealed } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';

/** A revocation at Google still to do; the refresh token stays sealed for its owner. */
export interface PendingRevocation {
  readonly id: string;
  readonly serenUserId: string;
  readonly tokenSealed: Sealed;
  readonly googleSubject: string | null;
  readonly attempts: number;
  readonly giveUpAt: number;
}

type Row = { id: string; seren_user_id: string; token_encrypted: string; google_sub: string | null; attempts: number; give_up_at: Date };

const COLUMNS = 'id, seren_user_id, token_encrypted, google_sub, attempts, give_up_at';

const fromRow = (r: Row): PendingRevocation => ({
  id: r.id,
  serenUserId: r.seren_user_id,
  tokenSealed: r.token_encrypted as Sealed,
  googleSubject: r.google_sub,
  attempts: r.attempts,
  giveUpAt: r.give_up_at.getTime(),
});

/** Storage verbs on pending_revocations (SPEC §3 DELETE /token/revoke, background retries). */
export class PendingRevocations {
  constructor(private readonly db: Queryable) {}

  /** Recorded in the disconnect's transaction, so a crash before Google answers loses nothing. */
  async add(
    q: Queryable,
    r: { serenUserId: string; tokenSealed: Sealed; googleSubject: string; now: number; nextAttemptAt?: number; giveUpAt: number },
  ): Promise<PendingRevocation> {
    const [row] = await q.query<Row>(
      `INSERT INTO pending_revocations (seren_user_id, token_encrypted, google_sub, attempts, next_attempt_at, give_up_at, created_at)
        VALUES ($1, $2, $3, 0, $6, $5, $4) RETURNING ${COLUMNS}`,
      [r.serenUserId, r.tokenSealed, r.googleSubject, new Date(r.now), new Date(r.giveUpAt), new Date(r.nextAttemptAt ?? r.now)],
    );
    return fromRow(row!);
  }

  /**
   * Claims up to `limit` due revocations by pushing their next attempt to `claimUntil`, so two
   * instances never work on one at once and a crash mid-attempt only delays it.
   */
  async claimDue(now: number, claimUntil: number, limit: number): Promise<PendingRevocation[]> {
    const rows = await this.db.query<Row>(
      `UPDATE pending_revocations SET next_attempt_at = $2
        WHERE id IN (SELECT id FROM pending_revocations WHERE next_attempt_at <= $1
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
      [new Date(now), new Date(claimUntil), limit],
    );
    return rows.map(fromRow);
  }

  /** Deletes the entry, and with it the sealed refresh token. */
  async remove(id: string): Promise<void> {
    await this.db.query('DELETE FROM pending_revocations WHERE id = $1', [id]);
  }

  async reschedule(id: string, attempts: number, nextAttemptAt: number): Promise<void> {
    await this.db.query('UPDATE pending_revocations SET attempts = $2, next_attempt_at = $3 WHERE id = $1', [id, attempts, new Date(nextAttemptAt)]);
  }

  /** Any active connection (any Seren user, the same one reconnected included) to this Google account. */
  async accountInUse(googleSubject: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM user_google_tokens WHERE google_sub = $1 AND status = 'active' LIMIT 1`, [googleSubject]);
    return rows.length > 0;
  }
}
