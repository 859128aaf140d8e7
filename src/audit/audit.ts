import type { Queryable } from '../db/database.js';

/** The closed vocabulary of audit events (`<entity>.<verb>`). */
export type AuditEvent =
  | 'grant.connected'
  | 'grant.switch_refused'
  | 'grant.reauthorization_required'
  | 'grant.disconnected'
  | 'grant.revoked_at_google'
  | 'grant.revocation_abandoned'
  | 'client.misconfigured'
  | 'installation.bound'
  | 'installation.rebound'
  /** A verified Google security event (RISC) was handled; detail: event, jti, result, grants affected. */
  | 'risc.event_received';

/** Records an event; `detail` must never hold a secret (scopes, emails and outcomes only). */
export async function recordAudit(
  db: Queryable,
  event: AuditEvent,
  serenUserId: string | null,
  detail: Record<string, string | number | boolean | string[] | null> = {},
): Promise<void> {
  await db.query('INSERT INTO audit_events (event, seren_user_id, detail) VALUES ($1, $2, $3)', [event, serenUserId, JSON.stringify(detail)]);
}
