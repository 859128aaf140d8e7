import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleError } from '../google/errors.js';
import { EXCHANGE_DEADLINE_MS } from './deadline.js';
import { type AccessToken, type LifetimeNeed, satisfies } from './lifetime.js';
import { GrantUnusable, REFRESH_LEASE_MS, RefreshUnderLease, type RefreshUnderLeaseDeps } from './refresh-under-lease.js';
import type { GrantRow, GrantView, LeasedRow } from './token-store.js';

export { GrantUnusable, LEASE_RENEW_EVERY_MS, REFRESH_LEASE_MS } from './refresh-under-lease.js';

/** How often a waiter reads the row for the lease holder's token (plus up to as much jitter). */
export const LEASE_POLL_MS = 25;
/**
 * Real time a flight waits for another instance's refresh before giving up (google_unavailable):
 * no exchange waits longer than its deadline anyway.
 */
export const WAIT_FOR_OTHER_REFRESH_MS = EXCHANGE_DEADLINE_MS;

/** Refreshes one flight may start when the grant keeps being replaced underneath it. */
const MAX_LEASED_ATTEMPTS = 3;

export interface FreshToken {
  readonly view: GrantView & { readonly token: AccessToken };
  /** True when this very flight minted the token (it is then newer than any request that joined it). */
  readonly minted: boolean;
}

export type RefresherDeps = RefreshUnderLeaseDeps;

/** A lease taken by the exchange's read (TokenStore.readOrLease), with the memory ticket taken before it. */
export interface Leased {
  readonly row: LeasedRow;
  readonly ticket: number;
}

/**
 * Single-flight refresh, deduplicated twice (docs/token-exchange.md, "Single-flight refresh"): concurrent exchanges on
 * this instance share one in-flight promise per user; across instances the winner holds a lease
 * on the grant row, re-reads freshness under it, and the others poll the row for its token.
 */
export class Refresher {
  private readonly inFlight = new Map<string, Promise<FreshToken>>();
  /** This instance's name on the leases it holds. */
  readonly owner = `${hostname()}/${process.pid}/${randomBytes(6).toString('base64url')}`;
  private readonly underLease: RefreshUnderLease;

  constructor(private readonly deps: RefresherDeps) {
    this.underLease = new RefreshUnderLease(deps, this.owner);
  }

  /**
   * Whether an exchange's read may take the refresh lease for this user now: not while a flight
   * of ours runs (it is joined: a lease taken beside it would go unused, and hide which instance
   * it was taken over from), a rotated refresh token waits to be stored, or Google's back-off
   * holds every refresh.
   */
  mayLeaseOnRead(serenUserId: string): boolean {
    return !this.inFlight.has(serenUserId) && !this.deps.pending.has(serenUserId) && this.deps.backoff.remainingSeconds() <= 0;
  }

  /**
   * A token meeting `need` (or minted after it was asked for), refreshing at most once per burst.
   * `leased`: the lease the caller's read took (see mayLeaseOnRead).
   */
  async fresh(serenUserId: string, need: LifetimeNeed, leased?: Leased): Promise<FreshToken> {
    for (let round = 1; ; round++) {
      let flight = this.inFlight.get(serenUserId);
      if (flight) {
        this.deps.metrics.singleFlightWaiters.inc({ scope: 'process' });
      } else {
        flight = this.fly(serenUserId, need, leased).finally(() => this.inFlight.delete(serenUserId));
        this.inFlight.set(serenUserId, flight);
      }
      leased = undefined; // a second round leases anew
      const result = await flight;
      // A flight started for a laxer need (another publisher) may have settled for a token this one cannot use.
      if (round >= 2 || result.minted || satisfies(result.view.token, need, this.deps.clock())) return result;
    }
  }

  private async fly(serenUserId: string, need: LifetimeNeed, alreadyLeased: Leased | undefined): Promise<FreshToken> {
    const { store, metrics, clock, backoff, pending } = this.deps;
    // Inside Google's back-off window nothing here can help: no lease, no call.
    if (backoff.remainingSeconds() > 0) {
      if (alreadyLeased) await store.releaseLease(serenUserId, this.owner).catch(() => {});
      throw backoff.refusal();
    }
    // A rotated refresh token still waiting for the database is the newest one: store it first,
    // then lease the row as it is now.
    if (pending.has(serenUserId)) {
      await pending.flush(serenUserId);
      alreadyLeased = undefined;
    }
    const giveUpAt = performance.now() + WAIT_FOR_OTHER_REFRESH_MS;
    let waiting = false;
    let leases = 0;
    for (;;) {
      const ticket = alreadyLeased?.ticket ?? this.deps.memory.ticket();
      const leased = alreadyLeased?.row ?? (await store.tryLease(serenUserId, this.owner, clock(), REFRESH_LEASE_MS));
      alreadyLeased = undefined;
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
        const refreshed = await this.underLease.run(leased);
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
