import { purgeAuditEvents } from '../audit/retention.js';
import type { ConnectTokens } from '../connect/connect-tokens.js';
import type { Queryable } from '../db/database.js';
import type { OAuthFlows } from '../flows/flows.js';
import type { MaintenanceTask } from './maintenance.js';

/** How often each purge runs (service clock). Expired rows linger at most this long past their grace. */
export const PURGE_EVERY_MS = 15 * 60_000;

/** The purges every instance runs: expired connect tokens and OAuth flows, audit events past retention. */
export function standardPurges(deps: {
  db: Queryable;
  connectTokens: ConnectTokens;
  flows: OAuthFlows;
  auditRetentionDays: number;
}): MaintenanceTask[] {
  return [
    { name: 'connect_tokens', everyMs: PURGE_EVERY_MS, run: (now) => deps.connectTokens.purgeExpired(now) },
    { name: 'oauth_flows', everyMs: PURGE_EVERY_MS, run: (now) => deps.flows.purgeExpired(now) },
    { name: 'audit_events', everyMs: PURGE_EVERY_MS, run: (now) => purgeAuditEvents(deps.db, now, deps.auditRetentionDays) },
  ];
}
