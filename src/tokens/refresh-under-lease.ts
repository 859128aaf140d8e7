import { setTimeout as sleep } from 'node:timers/promises';
import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { DecryptError } from '../crypto/keyring.js';
import type { Queryable } from '../db/database.js';
import { DatabaseUnavailableError } from '../db/failures.js';
import type { GoogleClient, RefreshedToken } from '../google/client.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { GoogleBackoff } from './google-backoff.js';
import type { GrantMemory } from './grant-memory.js';
import { withRetries } from './google-retry.js';
import type { PendingRefreshTokens } from './pending-refresh-tokens.js';
import type { GrantRow, LeasedRow, Refreshed, TokenStore } from './token-store.js';
import { UndecryptableGrant } from './undecryptable.js';
import type { UpstreamReporter } from './upstream-reporter.js';

/**
 * How long a refresh lease is held without renewal. The holder renews it while its call to
 * Google runs, so a live refresher is never overtaken; one that died blocks the others at most
 * this long. Instances must agree on the time to within a fraction of this (NTP does).
 */
export const REFRESH_LEASE_MS = 5_000;
/** How often the lease holder renews its lease while Google answers. */
export const LEASE_RENEW_EVERY_MS = 1_500;
/**
 * After taking over the lease of a holder that stopped renewing, an invalid_grant is checked
 * once more this much later before the grant is marked: that holder may have just received a
 * refresh token Google rotated, and be retrying its write now that the database is back.
 */
export const TAKEOVER_RECHECK_MS = 1_000;

/** The grant cannot give a token: deleted meanwhile, or refused by Google (here or on another instance). */
export class GrantUnusable extends Error {
  constructor(readonly reason: 'not_connected' | 'reauthorization_required') {
    super(`the grant is ${reason === 'not_connected' ? 'gone' : 'refused by Google'}`);
  }
}

export interface RefreshUnderLeaseDeps {
  db: Queryable;
  store: TokenStore;
  memory: GrantMemory;
  google: GoogleClient;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  upstream: UpstreamReporter;
  backoff: GoogleBackoff;
  pending: PendingRefreshTokens;
}

/**
 * One refresh at Google by the holder of a grant's lease: honour Google's back-off, call it
 * (bounded retries) while renewing the lease, then store the result guarded by the refresh token
 * used. A result the database cannot take now is still answered; if it carries a rotated refresh
 * token, the write waits in PendingRefreshTokens until it lands.
 */
export class RefreshUnderLease {
  constructor(
    private readonly deps: RefreshUnderLeaseDeps,
    private readonly owner: string,
  ) {}

  /** The refreshed row; undefined when the grant changed underneath (the caller looks again). */
  async run(row: LeasedRow): Promise<GrantRow | undefined> {
    const { store, backoff, clock } = this.deps;
    // Opened first: a grant we cannot decrypt is no failure of Google's, nor a reason to wait for it.
    const refreshToken = await this.openRefreshToken(row);
    backoff.learn(row.googleBackoffUntil);
    if (backoff.remainingSeconds() > 0) {
      await store.releaseLease(row.serenUserId, this.owner);
      throw backoff.refusal();
    }
    const renew = setInterval(() => {
      store.renewLease(row.serenUserId, this.owner, clock() + REFRESH_LEASE_MS).catch(() => {});
    }, LEASE_RENEW_EVERY_MS);
    renew.unref();
    try {
      let result: RefreshedToken;
      try {
        result = await this.callGoogle(row, refreshToken);
      } catch (err) {
        if (err instanceof GoogleError && err.kind === 'invalid_grant') return await this.refused(row);
        await store.releaseLease(row.serenUserId, this.owner).catch(() => {});
        throw err;
      }
      const obtainedAt = clock();
      return await this.save(row, {
        token: { value: result.accessToken, expiresAt: obtainedAt + result.expiresInSeconds * 1000, obtainedAt },
        rotatedRefreshToken: result.refreshToken,
        scopes: result.grantedScopes,
      });
    } finally {
      clearInterval(renew);
    }
  }

  /** The refresh token in clear; an UndecryptableGrant (lease released) when no configured key opens it. */
  private async openRefreshToken(row: GrantRow): Promise<string> {
    try {
      return this.deps.store.openRefreshToken(row);
    } catch (err) {
      await this.deps.store.releaseLease(row.serenUserId, this.owner).catch(() => {});
      throw err instanceof DecryptError ? new UndecryptableGrant(row.serenUserId, row.refreshTokenSealed, err) : err;
    }
  }

  private async callGoogle(row: GrantRow, refreshToken: string): Promise<RefreshedToken> {
    const { metrics, upstream, google, backoff } = this.deps;
    const started = performance.now();
    const observe = (result: string) => {
      metrics.refreshes.inc({ result });
      metrics.refreshSeconds.observe({ result }, (performance.now() - started) / 1000);
    };
    try {
      const result = await withRetries(() => google.refresh(refreshToken), (err) => upstream.attemptFailed('refresh', err));
      observe('success');
      return result;
    } catch (err) {
      observe(err instanceof GoogleError ? err.kind : 'internal');
      await upstream.operationFailed('refresh', err, row.serenUserId);
      await backoff.observe(err);
      throw err;
    }
  }

  private async save(row: GrantRow, refreshed: Refreshed): Promise<GrantRow | undefined> {
    const { store, pending } = this.deps;
    const id = row.serenUserId;
    let saved: GrantRow | undefined;
    try {
      saved = await store.saveRefreshed(id, this.owner, row.refreshTokenVersion, refreshed);
    } catch (err) {
      if (!(err instanceof DatabaseUnavailableError)) throw err;
      if (refreshed.rotatedRefreshToken !== undefined) pending.add(id, row.refreshTokenVersion, refreshed);
      // Google's answer is good whether or not it is stored yet (our lease simply expires).
      return { ...row, token: refreshed.token, scopes: refreshed.scopes ?? row.scopes };
    }
    if (!saved) await store.releaseLease(id, this.owner);
    return saved;
  }

  /** Google refused this refresh token: only now is a grant marked unusable (SPEC §3). */
  private async refused(row: LeasedRow): Promise<undefined> {
    const { store, memory, clock, logger } = this.deps;
    const id = row.serenUserId;
    // The holder we took over from may hold the rotated token: give its write a moment to land.
    if (row.takenOverFrom) await sleep(TAKEOVER_RECHECK_MS);
    const marked = await store.markReauthorizationRequired(id, row.refreshTokenVersion, clock());
    memory.invalidate(id);
    if (!marked) {
      await store.releaseLease(id, this.owner);
      return undefined; // a newer refresh token (a reconnect, a rotation stored late) gets its own chance
    }
    logger.warn({ seren_user_id: id }, 'Google refused the stored grant (invalid_grant): marked as needing reauthorization');
    await recordAudit(this.deps.db, 'grant.reauthorization_required', id, { reason: 'invalid_grant' });
    throw new GrantUnusable('reauthorization_required');
  }
}
