import type { Clock } from '../clock.js';
import { recordAudit } from '../audit/audit.js';
import type { Queryable } from '../db/database.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';
import { RepeatLimitedLog } from '../log/repeat-limited.js';
import type { Metrics } from '../metrics/metrics.js';
import { failureClass } from './google-retry.js';

/** A broken client configuration fails every call: one audit event per this interval is enough. */
export const MISCONFIGURATION_AUDIT_INTERVAL_MS = 60_000;

export type GoogleOperation = 'refresh' | 'revoke';

/**
 * Reports failed calls to Google: metrics per attempt, one log line per failed operation at the
 * level its class deserves, with its cause (HTTP status, time-out, network or TLS error) and no
 * stack; a failure that repeats (Google down for everyone) is logged once a minute with a
 * count. Also the `client.misconfigured` audit event (throttled).
 */
export class UpstreamReporter {
  private lastMisconfigurationAudit = -Infinity;
  private readonly repeats: RepeatLimitedLog;

  constructor(
    private readonly db: Queryable,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.repeats = new RepeatLimitedLog(logger, clock);
  }

  attemptFailed(operation: GoogleOperation, err: unknown): void {
    this.metrics.upstreamErrors.inc({ operation, class: err instanceof GoogleError ? failureClass(err) : 'internal' });
  }

  async operationFailed(operation: GoogleOperation, err: unknown, serenUserId: string): Promise<void> {
    if (!(err instanceof GoogleError)) {
      this.logger.error({ err, operation, seren_user_id: serenUserId }, `Google ${operation} failed unexpectedly`);
      return;
    }
    const cls = failureClass(err);
    const fields = { err, operation, failure: cls, seren_user_id: serenUserId };
    const kind = `${operation}|${cls}|${err.message}`;
    if (cls === 'misconfigured') {
      this.repeats.write('error', kind, fields, `Google rejected our OAuth client (${err.oauthError ?? 'HTTP 401'}): check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET; stored grants are untouched`);
      const now = this.clock();
      if (now - this.lastMisconfigurationAudit >= MISCONFIGURATION_AUDIT_INTERVAL_MS) {
        this.lastMisconfigurationAudit = now;
        await recordAudit(this.db, 'client.misconfigured', null, { operation, oauth_error: err.oauthError ?? null }).catch((auditErr) =>
          this.logger.error({ err: auditErr }, 'could not record the client.misconfigured audit event'),
        );
      }
    } else if (cls === 'invalid_grant') {
      this.logger.info(fields, `Google refused the stored grant during ${operation} (invalid_grant)`);
    } else if (cls === 'rejected' || cls === 'invalid_response') {
      this.repeats.write('error', kind, fields, `Google ${operation} failed: ${err.message}`);
    } else {
      this.repeats.write('warn', kind, fields, `Google ${operation} is unavailable: ${err.message}`);
    }
  }
}
