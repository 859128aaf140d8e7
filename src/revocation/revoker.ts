import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import type { GoogleClient } from '../google/client.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { withRetries } from '../tokens/google-retry.js';
import type { UpstreamReporter } from '../tokens/upstream-reporter.js';
import type { PendingRevocation, PendingRevocations } from './pending-revocations.js';

/** SPEC §3: a revocation Google could not take is retried in the background for at most this long. */
export const REVOCATION_GIVE_UP_MS = 24 * 60 * 60 * 1000;
/** Back-off between background attempts: doubling from the first, capped, with jitter. */
export const REVOCATION_FIRST_RETRY_MS = 30_000;
export const REVOCATION_MAX_RETRY_MS = 60 * 60 * 1000;

export type RevocationOutcome = 'done' | 'pending' | 'skipped' | 'abandoned';

export interface RevokerDeps {
  db: Queryable;
  queue: PendingRevocations;
  keyring: Keyring;
  google: GoogleClient;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  upstream: UpstreamReporter;
}

/**
 * One attempt at revoking a disconnected grant at Google (RFC 7009). The sealed refresh token is
 * deleted when Google took the revocation (or no longer knows the token), when the Google account
 * is connected again meanwhile (a revocation would end that connection too), or when the retries
 * run out; otherwise the next attempt is scheduled.
 */
export class Revoker {
  constructor(private readonly deps: RevokerDeps) {}

  async attempt(p: PendingRevocation): Promise<RevocationOutcome> {
    const { queue, clock } = this.deps;
    if (p.googleSubject && (await queue.accountInUse(p.googleSubject))) {
      await queue.remove(p.id);
      return this.finished(p, 'skipped');
    }
    let token: string;
    try {
      token = this.deps.keyring.open(p.tokenSealed, p.serenUserId);
    } catch (err) {
      this.deps.logger.error({ err, seren_user_id: p.serenUserId }, 'a pending revocation cannot be decrypted; giving it up');
      return this.abandon(p);
    }
    try {
      await withRetries(() => this.deps.google.revoke(token), (err) => this.deps.upstream.attemptFailed('revoke', err));
    } catch (err) {
      if (!alreadyRevoked(err)) {
        await this.deps.upstream.operationFailed('revoke', err, p.serenUserId);
        const now = clock();
        if (now >= p.giveUpAt) return this.abandon(p);
        const attempts = p.attempts + 1;
        const backoff = Math.min(REVOCATION_MAX_RETRY_MS, REVOCATION_FIRST_RETRY_MS * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
        await queue.reschedule(p.id, attempts, Math.min(now + backoff, p.giveUpAt));
        return this.finished(p, 'pending');
      }
    }
    await queue.remove(p.id);
    await recordAudit(this.deps.db, 'grant.revoked_at_google', p.serenUserId, { attempts: p.attempts + 1 });
    return this.finished(p, 'done');
  }

  private async abandon(p: PendingRevocation): Promise<RevocationOutcome> {
    await this.deps.queue.remove(p.id);
    await recordAudit(this.deps.db, 'grant.revocation_abandoned', p.serenUserId, { attempts: p.attempts + 1 });
    this.deps.logger.warn({ seren_user_id: p.serenUserId, attempts: p.attempts + 1 }, 'gave up revoking a disconnected grant at Google; its refresh token is deleted');
    return this.finished(p, 'abandoned');
  }

  private finished(p: PendingRevocation, outcome: RevocationOutcome): RevocationOutcome {
    this.deps.metrics.revocations.inc({ result: outcome });
    this.deps.logger.info({ seren_user_id: p.serenUserId, outcome }, `revocation at Google: ${outcome}`);
    return outcome;
  }
}

/** Google answers an unknown or already revoked token with invalid_token (or invalid_grant): nothing is left to revoke. */
function alreadyRevoked(err: unknown): boolean {
  return err instanceof GoogleError && (err.kind === 'invalid_grant' || err.oauthError === 'invalid_token');
}
