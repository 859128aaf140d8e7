import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where an exchange found the token it returned, or that it had to refresh. */
export type CacheSource = 'memory' | 'database';

/**
 * A labelled counter for the hot path: increments are a Map update, added to the prom-client
 * counter when it is scraped (prom-client hashes the label set on every `inc`).
 */
export class HotCounter<L extends string> {
  private readonly pending = new Map<string, number>();

  constructor(private readonly labelNames: readonly L[]) {}

  inc(...values: string[]): void {
    const key = values.join('\u0000');
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  flushInto(counter: Counter<L>): void {
    for (const [key, n] of this.pending) {
      const values = key.split('\u0000');
      counter.inc(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ''])) as Partial<Record<L, string>>, n);
    }
    this.pending.clear();
  }
}

/**
 * The service's Prometheus metrics (SPEC §9 `GET /metrics`). Each app has its own Registry, so
 * several apps in one process (tests, the benchmark) never collide.
 */
export class Metrics {
  readonly registry = new Registry();

  /** `outcome` is `ok`, `ok_stale` (a still-valid token while Google is down) or the SPEC error code; `inc(outcome, publisher)`. */
  readonly exchanges = new HotCounter(['outcome', 'publisher'] as const);

  /** Exchanges answered from the cache, by where the grant was read; `inc(source)`. */
  readonly cacheHits = new HotCounter(['source'] as const);

  readonly cacheMisses = new Counter({
    name: 'sga_token_cache_misses_total',
    help: 'Exchanges whose cached access token (if any) could not serve them, so a refresh was needed',
    registers: [this.registry],
  });

  readonly refreshes = new Counter({
    name: 'sga_google_refreshes_total',
    help: 'Refresh-token grants sent to Google by this instance, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly refreshSeconds = new Histogram({
    name: 'sga_google_refresh_duration_seconds',
    help: 'Time to obtain a token from Google, retries included',
    labelNames: ['result'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** `class`: invalid_grant, misconfigured, unavailable, rate_limited, invalid_response, rejected. */
  readonly upstreamErrors = new Counter({
    name: 'sga_google_errors_total',
    help: 'Failed calls to Google, by operation and failure class (each attempt counts)',
    labelNames: ['operation', 'class'] as const,
    registers: [this.registry],
  });

  /** `scope`: `process` (joined this instance's in-flight refresh) or `lease` (waited for another instance). */
  readonly singleFlightWaiters = new Counter({
    name: 'sga_refresh_single_flight_waiters_total',
    help: 'Exchanges that waited for a refresh someone else was already doing instead of calling Google',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  /** `kid`: the key the value names; its absence from TOKEN_ENCRYPTION_KEYS is the usual cause. */
  readonly grantDecryptFailures = new Counter({
    name: 'sga_grant_decrypt_failures_total',
    help: 'Exchanges whose stored refresh token could not be decrypted (key removed or row damaged), by key id',
    labelNames: ['kid'] as const,
    registers: [this.registry],
  });

  readonly revocations = new Counter({
    name: 'sga_google_revocations_total',
    help: 'Revocations at Google after a disconnect, by result (done, pending, skipped, abandoned)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    const { exchanges, cacheHits } = this;
    new Counter({
      name: 'sga_token_exchanges_total',
      help: 'POST /token/exchange answers, by outcome and publisher',
      labelNames: ['outcome', 'publisher'] as const,
      registers: [this.registry],
      collect() {
        exchanges.flushInto(this);
      },
    });
    new Counter({
      name: 'sga_token_cache_hits_total',
      help: 'Exchanges answered with a cached access token, by where the grant was read (memory or database)',
      labelNames: ['source'] as const,
      registers: [this.registry],
      collect() {
        cacheHits.flushInto(this);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'sga_' });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
