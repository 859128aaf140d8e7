import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordAudit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/database.js';
import type { GoogleClient, RefreshedToken } from '../google/client.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { GrantMemory } from './grant-memory.js';
import { withRetries } from './google-retry.js';
import { type AccessToken, type LifetimeNeed, satisfies } from './lifetime.js';
import type { GrantRow, GrantView, TokenStore } from './token-store.js';
import type { UpstreamReporter } from './upstream-reporter.js';

/**
 * How long a refresh lease is held without renewal. The holder renews it while its call to
 * Google runs, so a live refresher is never overtaken; one that died blocks the others at most
 * this long. Instances must agree on the time to within a fraction of this (NTP does).
 */
export const REFRESH_LEASE_MS = 5_000;
export const LEASE_RENEW_EVERY_MS = 1_500;
/** How often a waiter reads the row for the lease holder's token (plus up to as much jitter). */
export const LEASE_POLL_MS = 25;
/** Real time a waiter waits for another instance's refresh before answering google_unavailable. */
export const WAIT_FOR_OTHER_REFRESH_MS = 15_000;

/** Refreshes one flight may start when the grant keeps being replaced underneath it. */
const MAX_LEASED_ATTEMPTS = 3;

/** The grant cannot give a token: deleted meanwhile, or refused by Google (here or on another instance). */
export class GrantUnusable extends Error {
  constructor(readonly reason: 'not_connected' | 'reauthorization_required') {
    super(`the grant is ${reason === 'not_connected' ? 'gone' : 'refused by Google'}`);
  }
}

export interface FreshToken {
  readonly view: GrantView & { readonly token: AccessToken };
  /** True when this very flight minted the token (it is then newer than any request that joined it). */
  readonly minted: boolean;
}

export interface RefresherDeps {
  db: Queryable;
  store: TokenStore;
  memory: GrantMemory;
  google: GoogleClient;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  upstream: UpstreamReporter;
}

/**
 * Single-flight refresh, deduplicated twice (STYLE "Time and refresh"): concurrent exchanges on
 * this instance share one in-flight promise per user; across instances the winner holds a lease
 * on the grant row, re-reads freshness under it, and the others poll the row for its token.
 */
export class Refresher {
  private readonly inFlight = new Map<string, Promise<FreshToken>>();
  /** This instance's name on the leases it holds. */
  readonly owner = `${hostname()}/${process.pid}/${randomBytes(6).toString('base64url')}`;

  constructor(private readonly deps: RefresherDeps) {}

  /** A token meeting `need` (or minted after it was asked for), refreshing at most once per burst. */
  async fresh(serenUserId: string, need: LifetimeNeed): Promise<FreshToken> {
    for (let round = 1; ; round++) {
      let flight = this.inFlight.get(serenUserId);
      if (flight) {
        this.deps.metrics.singleFlightWaiters.inc({ scope: 'process' });
      } else {
        flight = this.fly(serenUserId, need).finally(() => this.inFlight.delete(serenUserId));
        this.inFlight.set(serenUserId, flight);
      }
      const result = await flight;
      // A flight started for a laxer need (another publisher) may have settled for a token this one cannot use.
      if (round >= 2 || result.minted || satisfies(result.view.token, need, this.deps.clock())) return result;
    }
  }

  private async fly(serenUserId: string, need: LifetimeNeed): Promise<FreshToken> {
    const { store, metrics, clock } = this.deps;
    const giveUpAt = performance.now() + WAIT_FOR_OTHER_REFRESH_MS;
    let waiting = false;
    let leases = 0;
    for (;;) {
      const ticket = this.deps.memory.ticket();
      const leased = await store.tryLease(serenUserId, this.owner, clock(), REFRESH_LEASE_MS);
      if (leased) {
        if (++leases > MAX_LEASED_ATTEMPTS) {
          await store.releaseLease(serenUserId, this.owner);
          throw new GoogleError('unavailable', 'refresh: the grant kept changing while it was refreshed', { reason: 'busy' });
        }
        // Re-read freshness under the lease: another instance may have refreshed while we queued.
        if (leased.token && satisfies(leased.token, need, clock())) {
          await store.releaseLease(serenUserId, this.owner);
          return { view: this.remember(leased, ticket), minted: false };
        }
        const refreshed = await this.refreshUnderLease(leased);
        if (refreshed) return { view: this.remember(refreshed, ticket), minted: true };
        continue; // the grant was replaced while we refreshed: look again
      }
      const row = await store.read(serenUserId);
      if (!row) throw new GrantUnusable('not_connected');
      if (row.status !== 'active') throw new GrantUnusable('reauthorization_required');
      if (row.token && satisfies(row.token, need, clock())) return { view: this.remember(row, ticket), minted: false };
      if (!waiting) {
        waiting = true;
        metrics.singleFlightWaiters.inc({ scope: 'lease' });
      }
      if (performance.now() > giveUpAt) throw new GoogleError('unavailable', 'refresh: another instance has held the refresh lease too long', { reason: 'busy' });
      await sleep(LEASE_POLL_MS + Math.random() * LEASE_POLL_MS);
    }
  }

  /** Calls Google while holding (and renewing) the lease; undefined when the grant changed underneath. */
  private async refreshUnderLease(row: GrantRow): Promise<GrantRow | undefined> {
    const { store, clock, metrics } = this.deps;
    const id = row.serenUserId;
    const renew = setInterval(() => {
      store.renewLease(id, this.owner, clock() + REFRESH_LEASE_MS).catch((err) => this.deps.logger.warn({ err }, 'could not renew the refresh lease'));
    }, LEASE_RENEW_EVERY_MS);
    renew.unref();
    const started = performance.now();
    try {
      let result: RefreshedToken;
      try {
        const refreshToken = store.openRefreshToken(row);
        result = await withRetries(() => this.deps.google.refresh(refreshToken), (err) => this.deps.upstream.attemptFailed('refresh', err));
      } catch (err) {
        const cls = err instanceof GoogleError ? err.kind : 'internal';
        metrics.refreshes.inc({ result: cls });
        metrics.refreshSeconds.observe({ result: cls }, (performance.now() - started) / 1000);
        await this.deps.upstream.operationFailed('refresh', err, id);
        if (err instanceof GoogleError && err.kind === 'invalid_grant') return await this.refused(row);
        await store.releaseLease(id, this.owner).catch(() => {});
        throw err;
      }
      metrics.refreshes.inc({ result: 'success' });
      metrics.refreshSeconds.observe({ result: 'success' }, (performance.now() - started) / 1000);
      const obtainedAt = clock();
      const saved = await store.saveRefreshed(id, this.owner, row.refreshTokenVersion, {
        token: { value: result.accessToken, expiresAt: obtainedAt + result.expiresInSeconds * 1000, obtainedAt },
        rotatedRefreshToken: result.refreshToken,
        scopes: result.grantedScopes,
      });
      if (!saved) await store.releaseLease(id, this.owner);
      return saved;
    } finally {
      clearInterval(renew);
    }
  }

  /** Google refused this refresh token: only now is a grant marked unusable (SPEC §3). */
  private async refused(row: GrantRow): Promise<undefined> {
    const id = row.serenUserId;
    const marked = await this.deps.store.markReauthorizationRequired(id, row.refreshTokenVersion, this.deps.clock());
    this.deps.memory.invalidate(id);
    if (!marked) {
      await this.deps.store.releaseLease(id, this.owner);
      return undefined; // reconnected meanwhile: the new grant gets its own chance
    }
    this.deps.logger.warn({ seren_user_id: id }, 'Google refused the stored grant (invalid_grant): marked as needing reauthorization');
    await recordAudit(this.deps.db, 'grant.reauthorization_required', id, { reason: 'invalid_grant' });
    throw new GrantUnusable('reauthorization_required');
  }

  private remember(row: GrantRow, ticket: number): FreshToken['view'] {
    const view = viewOf(row);
    this.deps.memory.put(view, ticket);
    return view as FreshToken['view'];
  }
}

/** What the in-memory cache may hold of a row: everything but the sealed refresh token and the lease. */
export function viewOf(row: GrantRow): GrantView {
  return { serenUserId: row.serenUserId, status: row.status, scopes: row.scopes, googleSubject: row.googleSubject, token: row.token };
}
