import type { Clock } from '../clock.js';
import { ApiError, retryAfter } from '../errors/errors.js';
import { GoogleError } from '../google/errors.js';
import type { Logger } from '../log/logger.js';
import { RepeatLimitedLog } from '../log/repeat-limited.js';
import type { CacheSource, Metrics } from '../metrics/metrics.js';
import type { Publisher } from '../publishers/catalog.js';
import { missingScopes } from '../publishers/scopes.js';
import type { SerenUser } from '../seren/identity.js';
import type { ConnectLinks } from './connect-links.js';
import type { GrantMemory } from './grant-memory.js';
import { DeadlineExceeded, EXCHANGE_DEADLINE_MS, beforeDeadline } from './deadline.js';
import { type AccessToken, type LifetimeNeed, expiresInSeconds, longEnough, requiredLifetimeSeconds, usableWhileGoogleIsDown } from './lifetime.js';
import { GrantUnusable, type Leased, REFRESH_LEASE_MS, type Refresher, viewOf } from './refresher.js';
import type { GrantView, TokenStore } from './token-store.js';
import { UndecryptableGrant, undecryptableAnswer } from './undecryptable.js';

/** The 200 body of `POST /token/exchange` (SPEC §3). */
export interface ExchangeAnswer {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

export interface ExchangeResult {
  answer: ExchangeAnswer;
  /** True when Google was unavailable and a stored token long enough for the gateway was returned instead (a degraded answer). */
  stale: boolean;
}

/** Past the deadline, a backstop for anything but Google (the database): this much grace, then 503. */
const BACKSTOP_GRACE_MS = 100;

export interface TokenExchangeDeps {
  store: TokenStore;
  memory: GrantMemory;
  refresher: Refresher;
  links: ConnectLinks;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  minTokenLifetimeSeconds: number;
}

/**
 * `POST /token/exchange` as a checklist: the grant (memory, then database), its status, the
 * publisher's scopes, a cached token long enough for the gateway, else one refresh per burst.
 */
export class TokenExchange {
  private readonly loading = new Map<string, Promise<Loaded | undefined>>();
  private readonly warnedShortTokens = new Set<string>();
  private readonly missingMemo = new WeakMap<GrantView, Map<string, string[]>>();
  /** While Google is down every exchange gives a degraded answer: one line a minute per publisher and cause. */
  private readonly degradedLog: RepeatLimitedLog;

  constructor(private readonly deps: TokenExchangeDeps) {
    this.degradedLog = new RepeatLimitedLog(deps.logger, deps.clock);
  }

  /**
   * The hot path, synchronous: an answer from this instance's memory alone, or undefined when the
   * database or Google is needed (then `exchange` does the whole checklist).
   */
  fromMemory(user: SerenUser, publisher: Publisher | undefined): ExchangeAnswer | undefined {
    const view = this.deps.memory.get(user.id);
    if (!view?.token || view.status !== 'active' || this.missing(view, publisher).length > 0) return undefined;
    const now = this.deps.clock();
    if (!longEnough(view.token, this.need(publisher, now), now)) return undefined;
    this.deps.metrics.cacheHits.inc('memory');
    return answerOf(view, view.token, now);
  }

  /**
   * The whole checklist, answered by `deadline` (a `performance.now()` instant; by default
   * EXCHANGE_DEADLINE_MS from now): waiting on Google ends there with a degraded answer or
   * google_unavailable, anything else (a slow database) just after with service_unavailable.
   */
  async exchange(user: SerenUser, publisher: Publisher | undefined, deadline = performance.now() + EXCHANGE_DEADLINE_MS): Promise<ExchangeResult> {
    try {
      return await beforeDeadline(this.checklist(user, publisher, deadline), deadline + BACKSTOP_GRACE_MS);
    } catch (err) {
      if (!(err instanceof DeadlineExceeded)) throw err;
      throw new ApiError('service_unavailable', 'This service could not answer in time; retry after the indicated time.', {}, retryAfter());
    }
  }

  private async checklist(user: SerenUser, publisher: Publisher | undefined, deadline: number): Promise<ExchangeResult> {
    const { clock, memory, metrics } = this.deps;
    const startedAt = clock();
    const need = this.need(publisher, startedAt);

    let source: CacheSource = 'memory';
    let view = memory.get(user.id);
    let lease: LeaseOffer | undefined;
    // An answer that sends the user to reconnect is always checked against the database first.
    if (!view || view.status !== 'active' || this.missing(view, publisher).length > 0) {
      const loaded = await this.load(user.id, publisher, need);
      view = loaded?.view;
      lease = loaded?.lease;
      source = 'database';
    }
    if (!view) throw await this.deps.links.notConnected(user, publisher);
    if (view.status !== 'active') throw await this.deps.links.reauthorizationRequired(user, publisher, view.scopes);
    const missing = this.missing(view, publisher);
    if (publisher && missing.length > 0) throw await this.deps.links.insufficientScope(user, publisher, view.scopes, missing);

    if (view.token && longEnough(view.token, need, startedAt)) {
      metrics.cacheHits.inc(source);
      return { answer: answerOf(view, view.token, startedAt), stale: false };
    }
    metrics.cacheMisses.inc();
    return this.refreshed(user, publisher, view, need, deadline, lease?.take());
  }

  /** Drops this instance's copy of a user's grant (it changed here: disconnect, reconnect). */
  forget(serenUserId: string): void {
    this.deps.memory.invalidate(serenUserId);
  }

  private need(publisher: Publisher | undefined, startedAt: number): LifetimeNeed {
    return { minRemainingMs: requiredLifetimeSeconds(publisher, this.deps.minTokenLifetimeSeconds) * 1000, freshSince: startedAt };
  }

  /** Scopes the publisher needs that the grant lacks; computed once per grant copy and publisher. */
  private missing(view: GrantView, publisher: Publisher | undefined): readonly string[] {
    if (!publisher) return NONE;
    let byPublisher = this.missingMemo.get(view);
    if (!byPublisher) this.missingMemo.set(view, (byPublisher = new Map()));
    let missing = byPublisher.get(publisher.slug);
    if (!missing) byPublisher.set(publisher.slug, (missing = missingScopes(view.scopes, publisher.scopes)));
    return missing;
  }

  private async refreshed(
    user: SerenUser, publisher: Publisher | undefined, view: GrantView, need: LifetimeNeed, deadline: number, lease: Leased | undefined,
  ): Promise<ExchangeResult> {
    const { clock } = this.deps;
    try {
      // Past the deadline the refresh goes on without us (what it gets is stored and shared).
      const { view: fresh } = await beforeDeadline(this.deps.refresher.fresh(user.id, need, lease), deadline);
      const now = clock();
      if (!longEnough(fresh.token, need, now)) this.warnShortToken(publisher, fresh.token, need, now);
      const missing = this.missing(fresh, publisher);
      if (publisher && missing.length > 0) throw await this.deps.links.insufficientScope(user, publisher, fresh.scopes, missing);
      return { answer: answerOf(fresh, fresh.token, now), stale: false };
    } catch (caught) {
      if (caught instanceof UndecryptableGrant) throw await undecryptableAnswer(this.deps, user, publisher, view.scopes, caught);
      if (caught instanceof GrantUnusable) {
        throw caught.reason === 'not_connected'
          ? await this.deps.links.notConnected(user, publisher)
          : await this.deps.links.reauthorizationRequired(user, publisher, view.scopes);
      }
      const err = caught instanceof DeadlineExceeded ? new GoogleError('unavailable', 'refresh: no answer within the exchange deadline', { reason: 'timeout' }) : caught;
      if (!(err instanceof GoogleError)) throw err;
      const now = clock();
      // A degraded answer (SPEC §3): only a stored token the gateway may hold for its whole cache TTL.
      if (err.kind !== 'misconfigured' && err.kind !== 'invalid_grant' && view.token && usableWhileGoogleIsDown(view.token, publisher, now)) {
        this.degradedLog.write(
          'warn', `${publisher?.slug ?? ''}|${err.message}`, { err, seren_user_id: user.id, publisher: publisher?.slug },
          `Google unavailable (${err.message}): returning the stored access token, which outlives the gateway cache`,
        );
        return { answer: answerOf(view, view.token, now), stale: true };
      }
      throw googleFailure(err);
    }
  }

  /**
   * Reads the grant from the database, one read per user and publisher at a time, and keeps a
   * copy in memory. The same round trip takes the refresh lease when the grant will need a
   * refresh for this publisher (a cold exchange then costs two statements: this and the save).
   */
  private load(serenUserId: string, publisher: Publisher | undefined, need: LifetimeNeed): Promise<Loaded | undefined> {
    const key = publisher ? `${serenUserId}\n${publisher.slug}` : serenUserId;
    let pending = this.loading.get(key);
    if (!pending) {
      const ticket = this.deps.memory.ticket();
      const wanted = this.deps.refresher.mayLeaseOnRead(serenUserId)
        ? { expiresAtLeast: need.freshSince + need.minRemainingMs, scopes: publisher?.scopes ?? NONE }
        : undefined;
      pending = this.deps.store
        .readOrLease(serenUserId, this.deps.refresher.owner, this.deps.clock(), REFRESH_LEASE_MS, wanted)
        .then((found) => {
          if (!found) return undefined;
          const view = viewOf(found.row);
          this.deps.memory.put(view, ticket);
          return { view, lease: found.lease && new LeaseOffer({ row: found.lease, ticket }) };
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /** Once per publisher: Google issues tokens too short for its cache TTL; each exchange then mints one. */
  private warnShortToken(publisher: Publisher | undefined, token: AccessToken, need: LifetimeNeed, now: number) {
    const key = publisher?.slug ?? '';
    if (this.warnedShortTokens.has(key)) return;
    this.warnedShortTokens.add(key);
    this.deps.logger.warn(
      { publisher: publisher?.slug ?? null, needed_seconds: need.minRemainingMs / 1000, token_lifetime_seconds: Math.floor((token.expiresAt - now) / 1000) },
      publisher
        ? `Google issues access tokens shorter than publisher "${publisher.slug}" needs (token_cache_ttl_seconds + 60 s): every exchange for it gets a freshly minted token`
        : 'Google issues access tokens shorter than MIN_TOKEN_LIFETIME_SECONDS: every exchange without a publisher gets a freshly minted token',
    );
  }
}

const NONE: readonly string[] = Object.freeze([]);

interface Loaded {
  view: GrantView;
  /** The refresh lease the read took, for the one exchange that refreshes (the others join its flight). */
  lease: LeaseOffer | undefined;
}

/** A lease handed to whichever exchange sharing the read asks first. */
class LeaseOffer {
  constructor(private leased: Leased | undefined) {}

  take(): Leased | undefined {
    const leased = this.leased;
    this.leased = undefined;
    return leased;
  }
}

function answerOf(view: GrantView, token: AccessToken, now: number): ExchangeAnswer {
  return { access_token: token.value, expires_in: expiresInSeconds(token, now), token_type: 'Bearer', scope: view.scopes.join(' ') };
}

/** Google's failure classes as SPEC §3 errors (invalid_grant is handled before, with a link). */
export function googleFailure(err: GoogleError): ApiError {
  if (err.kind === 'misconfigured') {
    return new ApiError(
      'google_client_misconfigured',
      "Google rejected this service's OAuth client; the operators have been alerted, and your Google connection is untouched.",
    );
  }
  return new ApiError(
    'google_unavailable',
    'Google is unavailable right now; your Google connection is untouched, retry after the indicated time.',
    {},
    retryAfter(err.retryAfterSeconds),
  );
}
