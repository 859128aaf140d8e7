import type { Queryable } from '../db/database.js';
import { deleteInBatches } from '../db/delete-in-batches.js';

/**
 * Deletes audit events older than the retention (AUDIT_RETENTION_DAYS): they hold Google emails,
 * which are kept no longer than the operator chose. Returns how many went.
 */
export function purgeAuditEvents(db: Queryable, now: number, retentionDays: number): Promise<number> {
  return deleteInBatches(db, 'audit_events', 'id', 'created_at < $1', [new Date(now - retentionDays * 86_400_000)]);
}
