import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Grants } from '../grants/grants.js';
import type { Logger } from '../log/logger.js';
import type { PendingRevocations } from './pending-revocations.js';
import { beforeDeadline } from '../tokens/deadline.js';
import { REVOCATION_GIVE_UP_MS, type Revoker } from './revoker.js';
import { REVOCATION_CLAIM_MS } from './worker.js';

/** The 200 body of `DELETE /token/revoke` (SPEC §3). */
export type DisconnectAnswer =
  | { status: 'not_found'; message: string }
  | { status: 'disconnected'; google_revocation: 'done' | 'pending' | 'skipped'; message: string };

const MESSAGES = {
  done: 'Disconnected; the grant was also revoked at Google.',
  pending: 'Disconnected; Google could not be reached, so the revocation at Google will be retried in the background for up to 24 hours.',
  skipped: 'Disconnected here only: the grant was not revoked at Google, because another Seren account is connected to the same Google account and a revocation would end its connection too.',
} as const;

export interface DisconnectorDeps {
  db: Database;
  grants: Grants;
  queue: PendingRevocations;
  revoker: Revoker;
  clock: Clock;
  logger: Logger;
  /** Drops this instance's cached copy of the grant. */
  forget: (serenUserId: string) => void;
  /** Writes a refresh token Google rotated that still waits for the database (tokens/pending-refresh-tokens.ts). */
  flushPending?: (serenUserId: string) => Promise<void>;
}

/**
 * How long `DELETE /token/revoke` waits for Google's answer before saying `pending`: the
 * disconnect is already committed, and the revocation goes on (or is retried) in the background.
 */
export const REVOKE_ANSWER_WAIT_MS = 2_000;

/**
 * `DELETE /token/revoke`: the connection stops working at once (the row and its cached token are
 * deleted in one transaction that also queues the revocation at Google and records
 * `grant.disconnected`), then Google is asked, for at most REVOKE_ANSWER_WAIT_MS, unless another
 * Seren user's active connection shares the Google account.
 */
export class Disconnector {
  constructor(private readonly deps: DisconnectorDeps) {}

  async disconnect(serenUserId: string): Promise<DisconnectAnswer> {
    const { db, grants, queue, clock, logger } = this.deps;
    // A refresh token Google rotated that is still waiting for the database is the one to revoke.
    await this.deps.flushPending?.(serenUserId).catch(() => {});
    const now = clock();
    const removed = await db.transaction(async (tx) => {
      const grant = await grants.delete(serenUserId, tx);
      if (!grant) return undefined;
      const shared = (await grants.activeSharers(grant.googleSubject, serenUserId, tx)) > 0;
      // Claimed by this request; if the process dies before Google answers, the worker takes it later.
      const pending = shared
        ? undefined
        : await queue.add(tx, {
            serenUserId, tokenSealed: grant.refreshTokenSealed, googleSubject: grant.googleSubject,
            now, nextAttemptAt: now + REVOCATION_CLAIM_MS, giveUpAt: now + REVOCATION_GIVE_UP_MS,
          });
      await recordAudit(tx, 'grant.disconnected', serenUserId, { google_email: grant.googleEmail, google_revocation: shared ? 'skipped' : 'requested' });
      return { grant, pending };
    });
    this.deps.forget(serenUserId);
    if (!removed) return { status: 'not_found', message: 'No Google account is connected to this Seren account.' };
    if (!removed.pending) return { status: 'disconnected', google_revocation: 'skipped', message: MESSAGES.skipped };

    const attempt = this.deps.revoker.attempt(removed.pending).catch((err: unknown) => {
      logger.error({ err, seren_user_id: serenUserId }, 'revoking at Google failed unexpectedly; the background worker retries');
      return 'pending' as const;
    });
    const outcome = await beforeDeadline(attempt, performance.now() + REVOKE_ANSWER_WAIT_MS).catch(() => 'pending' as const);
    // 'abandoned' at once only when the stored token is unreadable: nothing can be revoked.
    const google_revocation = outcome === 'abandoned' ? 'skipped' : outcome;
    return { status: 'disconnected', google_revocation, message: MESSAGES[google_revocation] };
  }
}
