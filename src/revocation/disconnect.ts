import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Grants } from '../grants/grants.js';
import type { Logger } from '../log/logger.js';
import type { PendingRevocations } from './pending-revocations.js';
import { REVOCATION_GIVE_UP_MS, type Revoker } from './revoker.js';

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
}

/**
 * `DELETE /token/revoke`: the connection stops working at once (the row and its cached token are
 * deleted in one transaction that also queues the revocation at Google), then Google is asked —
 * unless another Seren user's active connection shares the Google account.
 */
export class Disconnector {
  constructor(private readonly deps: DisconnectorDeps) {}

  async disconnect(serenUserId: string): Promise<DisconnectAnswer> {
    const { db, grants, queue, clock } = this.deps;
    const now = clock();
    const removed = await db.transaction(async (tx) => {
      const grant = await grants.delete(serenUserId, tx);
      if (!grant) return undefined;
      const shared = (await grants.activeSharers(grant.googleSubject, serenUserId, tx)) > 0;
      const pending = shared
        ? undefined
        : await queue.add(tx, { serenUserId, tokenSealed: grant.refreshTokenSealed, googleSubject: grant.googleSubject, now, giveUpAt: now + REVOCATION_GIVE_UP_MS });
      return { grant, pending };
    });
    this.deps.forget(serenUserId);
    if (!removed) return { status: 'not_found', message: 'No Google account is connected to this Seren account.' };

    const outcome = removed.pending ? await this.deps.revoker.attempt(removed.pending) : 'skipped';
    // 'abandoned' at once only when the stored token is unreadable: nothing can be revoked.
    const google_revocation = outcome === 'abandoned' ? 'skipped' : outcome;
    await recordAudit(db, 'grant.disconnected', serenUserId, { google_email: removed.grant.googleEmail, google_revocation });
    return { status: 'disconnected', google_revocation, message: MESSAGES[google_revocation] };
  }
}
